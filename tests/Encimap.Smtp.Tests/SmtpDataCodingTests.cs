using System.Buffers;
using System.Text;
using Encimap.Smtp;

namespace Encimap.Smtp.Tests;

public sealed class SmtpDataCodingTests
{
    [Theory]
    [InlineData("a\r\nb\r\n.\r\n", "a\r\nb\r\n")]
    [InlineData(".\r\n", "")]
    [InlineData("..\r\n.\r\n", ".\r\n")]
    [InlineData("..x\r\n.x\r\n.\r\n", ".x\r\nx\r\n")]
    [InlineData("\r\n\r\n.\r\n", "\r\n\r\n")]
    public void DecodesDotStuffedContent(string input, string expected)
    {
        var output = new ArrayBufferWriter<byte>();
        var decoder = new SmtpDataDecoder(output, 1000);
        var bytes = Encoding.ASCII.GetBytes(input + "TRAILING");
        // One byte at a time: state must survive any split.
        var consumed = 0;
        while (decoder.Status == SmtpDataStatus.NeedMore)
        {
            decoder.Decode(bytes.AsSpan(consumed, 1), out var used);
            consumed += used;
        }

        Assert.Equal(SmtpDataStatus.Complete, decoder.Status);
        Assert.Equal(input.Length, consumed);
        Assert.Equal(expected, Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Theory]
    [InlineData("a\n.\n", SmtpDataStatus.BareLineFeed)]
    [InlineData("a\r\n.\n", SmtpDataStatus.BareLineFeed)]
    [InlineData("a\n.\r\n", SmtpDataStatus.BareLineFeed)]
    [InlineData("\n", SmtpDataStatus.BareLineFeed)]
    [InlineData("a\rb\r\n.\r\n", SmtpDataStatus.BareCarriageReturn)]
    [InlineData("a\r\n.\rx", SmtpDataStatus.BareCarriageReturn)]
    public void RefusesBareLineBreaks(string input, SmtpDataStatus expected)
    {
        var decoder = new SmtpDataDecoder(new ArrayBufferWriter<byte>(), 1000);
        Assert.Equal(expected, decoder.Decode(Encoding.ASCII.GetBytes(input), out _));
    }

    [Fact]
    public void CountsPastTheLimitWithoutKeeping()
    {
        var output = new ArrayBufferWriter<byte>();
        var decoder = new SmtpDataDecoder(output, 10);
        decoder.Decode(Encoding.ASCII.GetBytes(new string('x', 50) + "\r\n.\r\n"), out _);
        Assert.Equal(SmtpDataStatus.Complete, decoder.Status);
        Assert.True(decoder.TooLarge);
        Assert.Equal(52, decoder.Size);
        Assert.Equal(10, output.WrittenCount);
    }

    [Theory]
    [InlineData("a\r\nb\r\n", "a\r\nb\r\n.\r\n")]
    [InlineData(".a\r\n..b\r\n.\r\n", "..a\r\n...b\r\n..\r\n.\r\n")]
    [InlineData("no final break", "no final break\r\n.\r\n")]
    [InlineData("", ".\r\n")]
    public void EncodesWithDotStuffing(string message, string expected)
    {
        var output = new ArrayBufferWriter<byte>();
        SmtpDotStuffing.Encode(Encoding.ASCII.GetBytes(message), output);
        Assert.Equal(expected, Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Fact]
    public void EncodingThenDecodingGivesTheMessageBack()
    {
        var message = Encoding.ASCII.GetBytes("Subject: x\r\n\r\n.\r\n..\r\n.x\r\nend\r\n");
        var encoded = new ArrayBufferWriter<byte>();
        SmtpDotStuffing.Encode(message, encoded);
        var decoded = new ArrayBufferWriter<byte>();
        var decoder = new SmtpDataDecoder(decoded, 1000);
        Assert.Equal(SmtpDataStatus.Complete, decoder.Decode(encoded.WrittenSpan, out var consumed));
        Assert.Equal(encoded.WrittenCount, consumed);
        Assert.Equal(message, decoded.WrittenSpan.ToArray());
    }

    [Fact]
    public void LineBreakCheckerWorksAcrossChunks()
    {
        var checker = new SmtpLineBreakChecker();
        Assert.Equal(SmtpDataStatus.NeedMore, checker.Check("abc\r"u8));
        Assert.Equal(SmtpDataStatus.NeedMore, checker.Check("\nxyz\r\n"u8));
        Assert.Equal(SmtpDataStatus.NeedMore, checker.Finish());
        var bad = new SmtpLineBreakChecker();
        Assert.Equal(SmtpDataStatus.NeedMore, bad.Check("abc\r"u8));
        Assert.Equal(SmtpDataStatus.BareCarriageReturn, bad.Check("x"u8));
        Assert.Equal(SmtpDataStatus.BareLineFeed, new SmtpLineBreakChecker().Check("a\nb"u8));
    }
}
