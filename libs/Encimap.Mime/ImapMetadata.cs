namespace Encimap.Mime;

/// <summary>
/// What IMAP reports of a message without reading it again: its ENVELOPE and its BODYSTRUCTURE
/// with the offsets of its parts, from one MimeKit parse (what the intake computes and stores at
/// delivery).
/// </summary>
/// <param name="Envelope">The envelope of the message's own header.</param>
/// <param name="BodyStructure">The body structure, offsets included.</param>
public sealed record ImapMetadata(Envelope Envelope, BodyStructure BodyStructure)
{
    /// <summary>
    /// Parses <paramref name="message"/>; never throws for malformed input (see
    /// <see cref="BodyStructure.Parse"/>).
    /// </summary>
    public static ImapMetadata Read(ReadOnlyMemory<byte> message) => BodyStructureReader.ReadWithEnvelope(message);
}
