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
    public void TooLargeNonSynchronizingLiteralIsFatal()
    {
        var receiver = new ImapCommandReceiver(new ImapLimits { MaxLiteralSize = 10 });
        var buffer = Bytes("a APPEND INBOX {11+}\r\n");
        Assert.True(receiver.Receive(ref buffer).Fatal);
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
    public void OverlongPartialLineIsFatal()
    {
        var receiver = new ImapCommandReceiver(new ImapLimits { MaxLineLength = 100 });
        var buffer = Bytes("a LOGIN " + new string('x', 200));
        Assert.True(receiver.Receive(ref buffer).Fatal);
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
