namespace Encimap.Intake.Encryption;

/// <summary>The message as it is stored.</summary>
/// <param name="Content">The bytes served over IMAP.</param>
/// <param name="AlreadyEncrypted">The original was already S/MIME encrypted and is stored unchanged.</param>
/// <param name="Der">
/// The CMS EnvelopedData that <see cref="Content"/> carries as base64 lines after its first
/// <paramref name="HeadLength"/> bytes; the database keeps these bytes and the head, not the
/// base64. Null when the message is stored as it is.
/// </param>
/// <param name="HeadLength">Length of the outer header, blank line included, when <paramref name="Der"/> is set.</param>
public sealed record EncryptedMessage(byte[] Content, bool AlreadyEncrypted, byte[]? Der = null, int HeadLength = 0)
{
    /// <summary>What goes in <c>messages.content</c>: the head when the DER is kept apart, else all of it.</summary>
    public ReadOnlyMemory<byte> StoredContent => Der is null ? Content : Content.AsMemory(0, HeadLength);
}
