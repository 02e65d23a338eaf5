namespace Encimap.Smtp;

/// <summary>
/// The one table of which command is allowed in which state: null means allowed (the session then
/// applies its own conditions: TLS, authentication, limits); otherwise the refusal to send.
/// </summary>
public static class SmtpStateTable
{
    public static SmtpReply? Check(SmtpSessionState state, SmtpVerb verb) => (verb, state) switch
    {
        (SmtpVerb.Helo or SmtpVerb.Ehlo, _) => null,
        (SmtpVerb.Rset or SmtpVerb.Noop or SmtpVerb.Quit or SmtpVerb.Vrfy or SmtpVerb.Expn or SmtpVerb.Help, _) => null,

        (SmtpVerb.Mail, SmtpSessionState.Connected) => SmtpReply.NeedHelo,
        (SmtpVerb.Mail, SmtpSessionState.Ready) => null,
        (SmtpVerb.Mail, _) => SmtpReply.NestedMail,

        (SmtpVerb.Rcpt, SmtpSessionState.Connected) => SmtpReply.NeedHelo,
        (SmtpVerb.Rcpt, SmtpSessionState.Ready) => SmtpReply.NeedMail,
        (SmtpVerb.Rcpt, SmtpSessionState.MailGiven or SmtpSessionState.RecipientsGiven) => null,
        (SmtpVerb.Rcpt, SmtpSessionState.Chunking) => SmtpReply.BdatInProgress,

        (SmtpVerb.Data or SmtpVerb.Bdat, SmtpSessionState.Connected) => SmtpReply.NeedHelo,
        (SmtpVerb.Data or SmtpVerb.Bdat, SmtpSessionState.Ready) => SmtpReply.NeedMail,
        (SmtpVerb.Data or SmtpVerb.Bdat, SmtpSessionState.MailGiven) => SmtpReply.NeedRecipients,
        (SmtpVerb.Data, SmtpSessionState.RecipientsGiven) => null,
        (SmtpVerb.Data, SmtpSessionState.Chunking) => SmtpReply.BdatInProgress,
        (SmtpVerb.Bdat, SmtpSessionState.RecipientsGiven or SmtpSessionState.Chunking) => null,

        (SmtpVerb.StartTls or SmtpVerb.Auth, SmtpSessionState.Connected) => SmtpReply.NeedHelo,
        (SmtpVerb.StartTls or SmtpVerb.Auth, SmtpSessionState.Ready) => null,
        (SmtpVerb.StartTls or SmtpVerb.Auth, _) => SmtpReply.TransactionInProgress,

        _ => SmtpReply.CommandUnrecognized,
    };
}
