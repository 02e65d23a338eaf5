using System.Buffers;
using System.Text;
using Encimap.Imap.Protocol;

namespace Encimap.Imap.Protocol.Tests;

public sealed class ReceiverTests
{
    private static ReadOnlySequence<byte> Bytes(string s) => new(Encoding.UTF8.GetBytes(s));

    [Fact]
    public void PartialLineNeedsMoreData()
    {
        var receiver = new ImapCommandReceiver();
        var buffer = Bytes("a NO");
        Assert.Equal(ReceiveStatus.NeedMoreData, receiver.Receive(ref buffer).Status);
        Assert.True(buffer.IsEmpty);
        buffer = Bytes("OP\r\n");
        var result = receiver.Receive(ref buffer);
        Assert.Equal(ReceiveStatus.Command, result.Status);
        Assert.Equal("NOOP", result.Command!.Name);
    }

    [Fact]
    public void SynchronizingLiteralIsAnnouncedThenCompleted()
    {
        var receiver = new ImapCommandReceiver();
        var buffer = Bytes("a LOGIN {4}\r\n");
        var announced = receiver.Receive(ref buffer);
        Assert.Equal(new ReceiveResult(ReceiveStatus.NeedLiteral, LiteralSize: 4, Tag: "a"), announced);
        buffer = Bytes("fr");
        Assert.Equal(ReceiveStatus.NeedMoreData, receiver.Receive(ref buffer).Status);
        buffer = Bytes("ed secret\r\n");
        var result = receiver.Receive(ref buffer);
        Assert.Equal(new LoginArguments("fred", "secret"), result.Command!.Arguments);
    }

    [Fact]
    public void NonSynchronizingLiteralFlowsThrough()
    {
        var receiver = new ImapCommandReceiver();
        var buffer = Bytes("a APPEND INBOX {3+}\r\nabc\r\nb NOOP\r\n");
        var first = receiver.Receive(ref buffer);
        Assert.Equal(ReceiveStatus.NeedLiteral, first.Status);
        Assert.True(first.LiteralNonSynchronizing);
        var append = receiver.Receive(ref buffer);
        Assert.Equal("APPEND", append.Command!.Name);
        var noop = receiver.Receive(ref buffer);
        Assert.Equal("NOOP", noop.Command!.Name);
    }

    [Fact]
    public void TooLargeSynchronizingLiteralIsRefusedAndTheSessionGoesOn()
    {
        var receiver = new ImapCommandReceiver(new ImapLimits { MaxLiteralSize = 10 });
        var buffer = Bytes("a APPEND INBOX {11}\r\nb NOOP\r\n");
        var refused = receiver.Receive(ref buffer);
        Assert.Equal(new ReceiveResult(ReceiveStatus.Error, Tag: "a", Error: "literal too large", ResponseCode: "TOOBIG"), refused);
        Assert.Equal("NOOP", receiver.Receive(ref buffer).Command!.Name);
    }

    [Fact]
    public void TooLargeNonSynchronizingLiteralIsDroppedAndTheSessionGoesOn()
    {
        // The client sends the literal without waiting (RFC 7888): its bytes, and the rest of the
        // command, are read and dropped; the command is answered BAD [TOOBIG].
        var receiver = new ImapCommandReceiver(new ImapLimits { MaxLiteralSize = 10 });
        var buffer = Bytes("a APPEND INBOX {11+}\r\nb NOOP\r\nxyz");
        Assert.Equal(ReceiveStatus.NeedMoreData, receiver.Receive(ref buffer).Status);
        buffer = Bytes(" {2+}\r\nc \r\nd NOOP\r\n");
        Assert.Equal(new ReceiveResult(ReceiveStatus.Error, Tag: "a", Error: "literal too large", ResponseCode: "TOOBIG"), receiver.Receive(ref buffer));
        Assert.Equal("d", receiver.Receive(ref buffer).Command!.Tag);
    }

    [Fact]
    public void AMultiappendBeyondTheCommandLimitIsRefused()
    {
        var receiver = new ImapCommandReceiver(new ImapLimits { MaxLiteralSize = 10, MaxCommandSize = 60 });
        var buffer = Bytes("a APPEND INBOX {10+}\r\n0123456789 {10+}\r\n0123456789 {10+}\r\n0123456789\r\nb NOOP\r\n");
        Assert.Equal(ReceiveStatus.NeedLiteral, receiver.Receive(ref buffer).Status);
        Assert.Equal(ReceiveStatus.NeedLiteral, receiver.Receive(ref buffer).Status);
        Assert.Equal("TOOBIG", receiver.Receive(ref buffer).ResponseCode);
        Assert.Equal("NOOP", receiver.Receive(ref buffer).Command!.Name);
    }

    [Fact]
    public void OverlongLineIsRefused()
    {
        var receiver = new ImapCommandReceiver(new ImapLimits { MaxLineLength = 100 });
        var buffer = Bytes("a LOGIN " + new string('x', 200) + " y\r\nb NOOP\r\n");
        var refused = receiver.Receive(ref buffer);
        Assert.Equal(ReceiveStatus.Error, refused.Status);
        Assert.Equal("line too long", refused.Error);
        Assert.Equal("NOOP", receiver.Receive(ref buffer).Command!.Name);
    }

    [Fact]
    public void OverlongPartialLineIsDroppedUntilItEnds()
    {
        var receiver = new ImapCommandReceiver(new ImapLimits { MaxLineLength = 100 });
        var buffer = Bytes("a1 LOGIN " + new string('x', 200));
        Assert.Equal(ReceiveStatus.NeedMoreData, receiver.Receive(ref buffer).Status);
        buffer = Bytes(new string('y', 500));
        Assert.Equal(ReceiveStatus.NeedMoreData, receiver.Receive(ref buffer).Status);
        buffer = Bytes("z\r\nb NOOP\r\n");
        Assert.Equal(new ReceiveResult(ReceiveStatus.Error, Tag: "a1", Error: "line too long"), receiver.Receive(ref buffer));
        Assert.Equal("NOOP", receiver.Receive(ref buffer).Command!.Name);
    }

    [Fact]
    public void AnOverlongLineThatAnnouncesANonSynchronizingLiteralDropsTheLiteralToo()
    {
        var receiver = new ImapCommandReceiver(new ImapLimits { MaxLineLength = 100 });
        var buffer = Bytes("a LOGIN " + new string('x', 200));
        Assert.Equal(ReceiveStatus.NeedMoreData, receiver.Receive(ref buffer).Status);
        buffer = Bytes(" {1");
        Assert.Equal(ReceiveStatus.NeedMoreData, receiver.Receive(ref buffer).Status);
        buffer = Bytes("0+}\r\n0123456789\r\nc NOOP\r\n");
        Assert.Equal("line too long", receiver.Receive(ref buffer).Error);
        Assert.Equal("c", receiver.Receive(ref buffer).Command!.Tag);
    }

    [Fact]
    public void MalformedCommandIsAnErrorWithItsTag()
    {
        var receiver = new ImapCommandReceiver();
        var buffer = Bytes("t1 BOGUS\r\n");
        var result = receiver.Receive(ref buffer);
        Assert.Equal(new ReceiveResult(ReceiveStatus.Error, Tag: "t1", Error: "unknown command BOGUS"), result);
    }

    [Fact]
    public void ReadsRawLines()
    {
        var receiver = new ImapCommandReceiver();
        var buffer = Bytes("DONE\r\nrest");
        Assert.True(receiver.TryReadLine(ref buffer, out var line));
        Assert.Equal("DONE", line);
        Assert.False(receiver.TryReadLine(ref buffer, out _));
    }
}
