using System.Text;

namespace Encimap.Mime.Tests;

public class TransferDecoderTests
{
    [Theory]
    [InlineData("SGVsbG8sIHdvcmxkIQ==", "Hello, world!")]
    [InlineData("SGVs\r\nbG8s\r\nIHdv\r\ncmxk\r\nIQ==\r\n", "Hello, world!")]
    [InlineData("  SGVsbG8s IHdvcmxkIQ==  ", "Hello, world!")]
    [InlineData("SGVsbG8sIHdvcmxkIQ", "Hello, world!")]
    [InlineData("SGVs*bG8s!IHdv%cmxk\u0000IQ==", "Hello, world!")]
    [InlineData("SGVsbG8=garbage after padding", "Hello")]
    [InlineData("S", "")]
    [InlineData("", "")]
    [InlineData("====", "")]
    public void Base64_decodes_leniently(string input, string expected)
    {
        Assert.Equal(expected, Encoding.Latin1.GetString(TransferDecoder.DecodeBase64(Encoding.Latin1.GetBytes(input))));
    }

    [Fact]
    public void Base64_round_trips_every_byte_value()
    {
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var encoded = Convert.ToBase64String(bytes, Base64FormattingOptions.InsertLineBreaks);

        Assert.Equal(bytes, TransferDecoder.DecodeBase64(Encoding.ASCII.GetBytes(encoded)));
    }

    [Theory]
    [InlineData("caf=C3=A9", "café")]
    [InlineData("caf=c3=a9", "café")]
    [InlineData("soft=\r\nbreak", "softbreak")]
    [InlineData("soft=\nbreak", "softbreak")]
    [InlineData("soft=  \r\nbreak with padding", "softbreak with padding")]
    [InlineData("trailing space   \r\nnext", "trailing space\r\nnext")]
    [InlineData("keeps\r\nhard breaks\r\n", "keeps\r\nhard breaks\r\n")]
    [InlineData("invalid =ZZ escape", "invalid =ZZ escape")]
    [InlineData("half =4", "half =4")]
    [InlineData("equals at end=", "equals at end")]
    [InlineData("a = b", "a = b")]
    [InlineData("=3D=3D", "==")]
    [InlineData("tab\tinside", "tab\tinside")]
    public void Quoted_printable_decodes_leniently(string input, string expected)
    {
        Assert.Equal(expected, Encoding.UTF8.GetString(TransferDecoder.DecodeQuotedPrintable(Encoding.UTF8.GetBytes(input))));
    }

    [Theory]
    [InlineData("7bit")]
    [InlineData("8bit")]
    [InlineData("binary")]
    [InlineData("x-uuencode")]
    public void Identity_encodings_return_the_bytes(string encoding)
    {
        var body = "=C3=A9 SGVsbG8="u8.ToArray();

        Assert.Equal(body, TransferDecoder.Decode(encoding, body));
    }

    [Fact]
    public void Decode_picks_the_decoder_by_name()
    {
        Assert.Equal("Hello"u8.ToArray(), TransferDecoder.Decode(" BASE64 ", "SGVsbG8="u8));
        Assert.Equal("é"u8.ToArray(), TransferDecoder.Decode("Quoted-Printable", "=C3=A9"u8));
    }
}
