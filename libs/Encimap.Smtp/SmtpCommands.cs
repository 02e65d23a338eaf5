namespace Encimap.Smtp;

/// <summary>The verbs the server knows; <see cref="Unknown"/> for anything else.</summary>
public enum SmtpVerb
{
    Unknown,
    Helo,
    Ehlo,
    Mail,
    Rcpt,
    Data,
    Bdat,
    Rset,
    Noop,
    Quit,
    Vrfy,
    Expn,
    Help,
    StartTls,
    Auth,
}

/// <summary>The BODY parameter of MAIL (RFC 6152, RFC 3030).</summary>
public enum SmtpBodyType
{
    /// <summary>No BODY parameter.</summary>
    Unspecified,
    SevenBit,
    EightBitMime,
    BinaryMime,
}

/// <summary>One parsed command line. One record type per verb; syntax errors are <see cref="InvalidCommand"/>.</summary>
public abstract record SmtpCommand(SmtpVerb Verb);

public sealed record HeloCommand(string Domain) : SmtpCommand(SmtpVerb.Helo);

public sealed record EhloCommand(string Domain) : SmtpCommand(SmtpVerb.Ehlo);

/// <summary>MAIL FROM. <paramref name="ReversePath"/> is "" for the null reverse-path &lt;&gt;.</summary>
public sealed record MailCommand(string ReversePath, long? Size = null, SmtpBodyType Body = SmtpBodyType.Unspecified, bool SmtpUtf8 = false)
    : SmtpCommand(SmtpVerb.Mail);

public sealed record RcptCommand(string ForwardPath) : SmtpCommand(SmtpVerb.Rcpt);

public sealed record DataCommand() : SmtpCommand(SmtpVerb.Data);

/// <summary>BDAT (RFC 3030): <paramref name="Size"/> octets of message data follow the command line.</summary>
public sealed record BdatCommand(long Size, bool Last) : SmtpCommand(SmtpVerb.Bdat);

public sealed record RsetCommand() : SmtpCommand(SmtpVerb.Rset);

public sealed record NoopCommand() : SmtpCommand(SmtpVerb.Noop);

public sealed record QuitCommand() : SmtpCommand(SmtpVerb.Quit);

public sealed record VrfyCommand(string Argument) : SmtpCommand(SmtpVerb.Vrfy);

public sealed record ExpnCommand(string Argument) : SmtpCommand(SmtpVerb.Expn);

public sealed record HelpCommand(string? Topic) : SmtpCommand(SmtpVerb.Help);

public sealed record StartTlsCommand() : SmtpCommand(SmtpVerb.StartTls);

/// <summary>AUTH (RFC 4954). <paramref name="InitialResponse"/> is the base64 text as sent ("=" for empty), or null.</summary>
public sealed record AuthCommand(string Mechanism, string? InitialResponse) : SmtpCommand(SmtpVerb.Auth);

/// <summary>A line that could not be parsed: the reply says why. <see cref="SmtpCommand.Verb"/> is the verb if it was recognised.</summary>
public sealed record InvalidCommand(SmtpVerb RecognisedVerb, SmtpReply Reply) : SmtpCommand(RecognisedVerb);
