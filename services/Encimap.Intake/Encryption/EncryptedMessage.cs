using Encimap.Mime;
using Encimap.Smtp;

namespace Encimap.Intake.Encryption;

/// <summary>The message as it is stored; disposing it releases its spools.</summary>
/// <param name="Content">
/// What goes in <c>messages.content</c>: the outer header, blank line included, when
/// <paramref name="Der"/> is set; the header as it came, blank line included, when
/// <paramref name="Body"/> is set; otherwise the whole message as served over IMAP.
/// </param>
/// <param name="AlreadyEncrypted">The original was already S/MIME encrypted and is stored unchanged.</param>
/// <param name="Der">
/// The CMS EnvelopedData that the served message carries after <see cref="Content"/> as base64
/// lines; the database keeps these bytes (<c>content_der</c>, or <c>message_chunks</c> rows for a
/// large one), not the base64, and receives them as streams. Null when the message is stored as it is.
/// </param>
/// <param name="Body">
/// The body of a large message stored as it came, served as it is after <see cref="Content"/>:
/// it goes to <c>message_chunks</c> rows (migration 0019), never as one datum. Null otherwise.
/// </param>
public sealed record EncryptedMessage(byte[] Content, bool AlreadyEncrypted, MessageSpool? Der = null, MessageSpool? Body = null) : IDisposable
{
    /// <summary>Length of the body as served after <see cref="Content"/>: the DER's base64 lines, the body in chunks, or nothing.</summary>
    public int ServedBodyLength => Der is not null
        ? checked((int)Base64Lines.EncodedLength(Der.Length))
        : checked((int)(Body?.Length ?? 0));

    /// <summary>Size of the message as served over IMAP (RFC822.SIZE).</summary>
    public int ServedLength => checked(Content.Length + ServedBodyLength);

    public void Dispose()
    {
        Der?.Dispose();
        Body?.Dispose();
    }
}
