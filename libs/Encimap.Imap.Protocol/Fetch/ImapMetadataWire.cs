using System.Buffers;

namespace Encimap.Imap.Protocol;

/// <summary>
/// ENVELOPE and BODYSTRUCTURE in wire syntax, rendered once when a message is stored so that a
/// FETCH of them copies bytes instead of decoding and formatting (as Dovecot's cache keeps them).
/// Rendered without UTF8=ACCEPT: 8-bit strings become literals, which every session accepts.
/// <see cref="FetchWriter"/> writes them as they are when a backend hands them over
/// (<see cref="FetchedMessage.EnvelopeWire"/>, <see cref="FetchedMessage.BodyStructureWire"/>).
/// </summary>
public static class ImapMetadataWire
{
    /// <summary>The parenthesized ENVELOPE value (RFC 3501 §7.4.2).</summary>
    public static byte[] Envelope(ImapEnvelope envelope)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        FetchWriter.WriteEnvelope(new ImapWriter(buffer), envelope);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The parenthesized BODYSTRUCTURE value, with extension data (RFC 3501 §7.4.2).</summary>
    public static byte[] BodyStructure(ImapBodyPart part)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        FetchWriter.WriteBodyStructure(new ImapWriter(buffer), part, extended: true);
        return buffer.WrittenSpan.ToArray();
    }
}
