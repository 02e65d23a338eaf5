using System.Text;
using Encimap.Mime;

namespace Encimap.Imap.Protocol.Tests;

/// <summary>ENVELOPE and BODYSTRUCTURE rendered once at delivery, in the form every session accepts.</summary>
public sealed class MetadataWireTests
{
    private static readonly byte[] Stored = Encoding.UTF8.GetBytes(
        "From: \"O'Brien, \\\"Pat\\\"\" <pat@example.com>\r\nTo: b@example.com, undisclosed-recipients:;\r\n" +
        "Subject: Grüße\r\nDate: Mon, 4 Mar 2024 10:00:00 +0000\r\nMessage-ID: <m@example.com>\r\n" +
        "MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n" +
        "Content-Disposition: attachment; filename=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n");

    [Fact]
    public void Envelope_quotes_ascii_and_sends_eight_bit_text_as_a_literal()
    {
        var wire = Encoding.UTF8.GetString(ImapMetadataWire.Envelope(MimeMapping.ToImap(Envelope.FromHeaders(MessageReader.ReadHeaders(Stored)))));
        Assert.StartsWith("(\"Mon, 4 Mar 2024 10:00:00 +0000\" {7}\r\nGrüße ((\"O'Brien, \\\"Pat\\\"\" NIL \"pat\" \"example.com\"))", wire);
        Assert.EndsWith(" NIL \"<m@example.com>\")", wire);
    }

    [Fact]
    public void Bodystructure_is_the_extended_form()
    {
        var wire = Encoding.UTF8.GetString(ImapMetadataWire.BodyStructure(MimeMapping.ToImap(BodyStructure.Parse(Stored))));
        Assert.StartsWith("(\"APPLICATION\" \"PKCS7-MIME\" (\"SMIME-TYPE\" \"enveloped-data\" \"NAME\" \"smime.p7m\") NIL NIL \"BASE64\" 6 ", wire);
        Assert.Contains("(\"ATTACHMENT\" (\"FILENAME\" \"smime.p7m\"))", wire);
    }
}
