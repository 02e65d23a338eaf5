using Encimap.Smtp;

namespace Encimap.Smtp.Tests;

/// <summary>Raw command line → command record.</summary>
public sealed class SmtpCommandParserTests
{
    public static TheoryData<string, SmtpCommand> Valid => new()
    {
        { "EHLO client.example", new EhloCommand("client.example") },
        { "ehlo [192.0.2.1]", new EhloCommand("[192.0.2.1]") },
        { "HELO client.example", new HeloCommand("client.example") },
        { "MAIL FROM:<alice@example.org>", new MailCommand("alice@example.org") },
        { "mail from:<alice@example.org>", new MailCommand("alice@example.org") },
        { "MAIL FROM: <alice@example.org>", new MailCommand("alice@example.org") },
        { "MAIL FROM:alice@example.org", new MailCommand("alice@example.org") },
        { "MAIL FROM:<>", new MailCommand("") },
        { "MAIL FROM:<@relay.example:alice@example.org>", new MailCommand("alice@example.org") },
        { "MAIL FROM:<alice@example.org> SIZE=12345", new MailCommand("alice@example.org", 12345) },
        { "MAIL FROM:<alice@example.org> BODY=8BITMIME", new MailCommand("alice@example.org", Body: SmtpBodyType.EightBitMime) },
        { "MAIL FROM:<alice@example.org> body=7bit", new MailCommand("alice@example.org", Body: SmtpBodyType.SevenBit) },
        { "MAIL FROM:<jösé@exämple.org> SMTPUTF8 BODY=8BITMIME", new MailCommand("jösé@exämple.org", Body: SmtpBodyType.EightBitMime, SmtpUtf8: true) },
        { "MAIL FROM:<alice@example.org> AUTH=<>", new MailCommand("alice@example.org") },
        { "MAIL FROM:<\"quoted local\"@example.org>", new MailCommand("\"quoted local\"@example.org") },
        { "RCPT TO:<bob@example.net>", new RcptCommand("bob@example.net") },
        { "RCPT TO:<Postmaster>", new RcptCommand("Postmaster") },
        { "RCPT TO: <bob@[192.0.2.7]>", new RcptCommand("bob@[192.0.2.7]") },
        { "DATA", new DataCommand() },
        { "BDAT 1000", new BdatCommand(1000, false) },
        { "BDAT 0 LAST", new BdatCommand(0, true) },
        { "bdat 42 last", new BdatCommand(42, true) },
        { "RSET", new RsetCommand() },
        { "NOOP", new NoopCommand() },
        { "NOOP anything", new NoopCommand() },
        { "QUIT", new QuitCommand() },
        { "VRFY bob", new VrfyCommand("bob") },
        { "EXPN staff", new ExpnCommand("staff") },
        { "HELP", new HelpCommand(null) },
        { "HELP MAIL", new HelpCommand("MAIL") },
        { "STARTTLS", new StartTlsCommand() },
        { "AUTH PLAIN", new AuthCommand("PLAIN", null) },
        { "AUTH plain AGFsaWNlAHNlY3JldA==", new AuthCommand("PLAIN", "AGFsaWNlAHNlY3JldA==") },
        { "AUTH LOGIN", new AuthCommand("LOGIN", null) },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parses(string line, SmtpCommand expected)
    {
        Assert.Equal(expected, SmtpCommandParser.Parse(line));
    }

    [Theory]
    [InlineData("HELO", SmtpVerb.Helo, 501, "5.5.4")]
    [InlineData("EHLO", SmtpVerb.Ehlo, 501, "5.5.4")]
    [InlineData("MAIL alice@example.org", SmtpVerb.Mail, 501, "5.5.4")]
    [InlineData("MAIL FROM:<alice@example.org", SmtpVerb.Mail, 501, "5.5.4")]
    [InlineData("MAIL FROM:<alice@example.org>SIZE=1", SmtpVerb.Mail, 501, "5.5.4")]
    [InlineData("MAIL FROM:<alice@@example.org>", SmtpVerb.Mail, 501, "5.1.7")]
    [InlineData("MAIL FROM:<alice..x@example.org>", SmtpVerb.Mail, 501, "5.1.7")]
    [InlineData("MAIL FROM:<alice@exa mple.org>", SmtpVerb.Mail, 501, "5.1.7")]
    [InlineData("MAIL FROM:<alice@example.org> SIZE=abc", SmtpVerb.Mail, 501, "5.5.4")]
    [InlineData("MAIL FROM:<alice@example.org> BODY=9BIT", SmtpVerb.Mail, 501, "5.5.4")]
    [InlineData("MAIL FROM:<alice@example.org> RET=FULL", SmtpVerb.Mail, 555, "5.5.4")]
    [InlineData("RCPT TO:<>", SmtpVerb.Rcpt, 501, "5.1.3")]
    [InlineData("RCPT TO:<bob>", SmtpVerb.Rcpt, 501, "5.1.3")]
    [InlineData("RCPT TO:<bob@example.net> NOTIFY=NEVER", SmtpVerb.Rcpt, 555, "5.5.4")]
    [InlineData("RCPT FROM:<bob@example.net>", SmtpVerb.Rcpt, 501, "5.5.4")]
    [InlineData("DATA now", SmtpVerb.Data, 501, "5.5.4")]
    [InlineData("BDAT", SmtpVerb.Bdat, 501, "5.5.4")]
    [InlineData("BDAT -1", SmtpVerb.Bdat, 501, "5.5.4")]
    [InlineData("BDAT 10 FIRST", SmtpVerb.Bdat, 501, "5.5.4")]
    [InlineData("STARTTLS now", SmtpVerb.StartTls, 501, "5.5.4")]
    [InlineData("AUTH", SmtpVerb.Auth, 501, "5.5.4")]
    [InlineData("VRFY", SmtpVerb.Vrfy, 501, "5.5.4")]
    [InlineData("GET / HTTP/1.1", SmtpVerb.Unknown, 500, "5.5.2")]
    [InlineData("", SmtpVerb.Unknown, 500, "5.5.2")]
    public void RefusesWithEnhancedCode(string line, SmtpVerb verb, int code, string enhanced)
    {
        var command = Assert.IsType<InvalidCommand>(SmtpCommandParser.Parse(line));
        Assert.Equal(verb, command.Verb);
        Assert.Equal(code, command.Reply.Code);
        Assert.Equal(enhanced, command.Reply.EnhancedCode);
    }

    [Fact]
    public void InvalidUtf8IsRefused()
    {
        var command = Assert.IsType<InvalidCommand>(SmtpCommandParser.Parse([(byte)'M', (byte)'A', (byte)'I', (byte)'L', (byte)' ', 0xff, 0xfe]));
        Assert.Equal(500, command.Reply.Code);
    }
}
