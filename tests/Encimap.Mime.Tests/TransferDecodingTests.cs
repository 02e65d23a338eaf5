using System.Text;

namespace Encimap.Mime.Tests;

/// <summary>BINARY[part] content (RFC 3516): the transfer encoding undone by MimeKit's decoders.</summary>
public class TransferDecodingTests
{
    private static string Decode(string encoding, string body) =>
        Encoding.Latin1.GetString(TransferDecoding.Decode(encoding, Encoding.Latin1.GetBytes(body)).Span);

    [Theory]
    [InlineData("SGVsbG8sIHdvcmxkIQ==", "Hello, world!")]
    [InlineData("SGVs\r\nbG8s\r\nIHdv\r\ncmxk\r\nIQ==\r\n", "Hello, world!")]
    [InlineData("  SGVsbG8s IHdvcmxkIQ==  ", "Hello, world!")]
    [InlineData("", "")]
    public void Base64_decodes(string input, string expected)
    {
        Assert.Equal(expected, Decode("base64", input));
    }

    [Fact]
    public void Base64_round_trips_every_byte_value()
    {
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var encoded = Convert.ToBase64String(bytes, Base64FormattingOptions.InsertLineBreaks);

        Assert.Equal(bytes, TransferDecoding.Decode("BASE64", Encoding.ASCII.GetBytes(encoded)).ToArray());
    }

    [Theory]
    [InlineData("caf=C3=A9", "café")]
    [InlineData("caf=c3=a9", "café")]
    [InlineData("soft=\r\nbreak", "softbreak")]
    [InlineData("soft=\nbreak", "softbreak")]
    [InlineData("keeps\r\nhard breaks\r\n", "keeps\r\nhard breaks\r\n")]
    [InlineData("=3D=3D", "==")]
    [InlineData("tab\tinside", "tab\tinside")]
    public void Quoted_printable_decodes(string input, string expected)
    {
        Assert.Equal(expected, Encoding.UTF8.GetString(TransferDecoding.Decode(" Quoted-Printable ", Encoding.UTF8.GetBytes(input)).Span));
    }

    [Theory]
    [InlineData("7bit")]
    [InlineData("8bit")]
    [InlineData("binary")]
    [InlineData("x-uuencode")]
    public void Other_encodings_return_the_bytes(string encoding)
    {
        Assert.Equal("=C3=A9 SGVsbG8=", Decode(encoding, "=C3=A9 SGVsbG8="));
    }
}
