using Encimap.Smtp;

namespace Encimap.Smtp.Tests;

/// <summary>State × command → allowed (0) or the refusal's code and enhanced code.</summary>
public sealed class SmtpStateTableTests
{
    private const SmtpSessionState C = SmtpSessionState.Connected;
    private const SmtpSessionState R = SmtpSessionState.Ready;
    private const SmtpSessionState M = SmtpSessionState.MailGiven;
    private const SmtpSessionState T = SmtpSessionState.RecipientsGiven;
    private const SmtpSessionState B = SmtpSessionState.Chunking;

    [Theory]
    // HELO/EHLO, RSET, NOOP, QUIT, VRFY, HELP: anywhere.
    [InlineData(C, SmtpVerb.Ehlo, 0, null)]
    [InlineData(B, SmtpVerb.Ehlo, 0, null)]
    [InlineData(T, SmtpVerb.Helo, 0, null)]
    [InlineData(C, SmtpVerb.Rset, 0, null)]
    [InlineData(B, SmtpVerb.Rset, 0, null)]
    [InlineData(M, SmtpVerb.Noop, 0, null)]
    [InlineData(C, SmtpVerb.Quit, 0, null)]
    [InlineData(T, SmtpVerb.Vrfy, 0, null)]
    [InlineData(R, SmtpVerb.Help, 0, null)]
    // MAIL
    [InlineData(C, SmtpVerb.Mail, 503, "5.5.1")]
    [InlineData(R, SmtpVerb.Mail, 0, null)]
    [InlineData(M, SmtpVerb.Mail, 503, "5.5.1")]
    [InlineData(T, SmtpVerb.Mail, 503, "5.5.1")]
    [InlineData(B, SmtpVerb.Mail, 503, "5.5.1")]
    // RCPT
    [InlineData(C, SmtpVerb.Rcpt, 503, "5.5.1")]
    [InlineData(R, SmtpVerb.Rcpt, 503, "5.5.1")]
    [InlineData(M, SmtpVerb.Rcpt, 0, null)]
    [InlineData(T, SmtpVerb.Rcpt, 0, null)]
    [InlineData(B, SmtpVerb.Rcpt, 503, "5.5.1")]
    // DATA
    [InlineData(C, SmtpVerb.Data, 503, "5.5.1")]
    [InlineData(R, SmtpVerb.Data, 503, "5.5.1")]
    [InlineData(M, SmtpVerb.Data, 554, "5.5.1")]
    [InlineData(T, SmtpVerb.Data, 0, null)]
    [InlineData(B, SmtpVerb.Data, 503, "5.5.1")]
    // BDAT
    [InlineData(C, SmtpVerb.Bdat, 503, "5.5.1")]
    [InlineData(R, SmtpVerb.Bdat, 503, "5.5.1")]
    [InlineData(M, SmtpVerb.Bdat, 554, "5.5.1")]
    [InlineData(T, SmtpVerb.Bdat, 0, null)]
    [InlineData(B, SmtpVerb.Bdat, 0, null)]
    // STARTTLS and AUTH: between transactions, after EHLO.
    [InlineData(C, SmtpVerb.StartTls, 503, "5.5.1")]
    [InlineData(R, SmtpVerb.StartTls, 0, null)]
    [InlineData(M, SmtpVerb.StartTls, 503, "5.5.1")]
    [InlineData(C, SmtpVerb.Auth, 503, "5.5.1")]
    [InlineData(R, SmtpVerb.Auth, 0, null)]
    [InlineData(T, SmtpVerb.Auth, 503, "5.5.1")]
    [InlineData(R, SmtpVerb.Unknown, 500, "5.5.2")]
    public void Table(SmtpSessionState state, SmtpVerb verb, int code, string? enhanced)
    {
        var reply = SmtpStateTable.Check(state, verb);
        if (code == 0)
        {
            Assert.Null(reply);
        }
        else
        {
            Assert.NotNull(reply);
            Assert.Equal(code, reply.Code);
            Assert.Equal(enhanced, reply.EnhancedCode);
        }
    }

    [Fact]
    public void EveryStateAndVerbHasAnAnswer()
    {
        foreach (var state in Enum.GetValues<SmtpSessionState>())
        {
            foreach (var verb in Enum.GetValues<SmtpVerb>())
            {
                var reply = SmtpStateTable.Check(state, verb);
                Assert.True(reply is null || reply.EnhancedCode is not null, $"{state} × {verb}: a refusal without an enhanced status code");
            }
        }
    }
}
