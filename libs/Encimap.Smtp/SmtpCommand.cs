namespace Encimap.Smtp;

/// <summary>One parsed command line. One record type per verb; syntax errors are <see cref="InvalidCommand"/>.</summary>
public abstract record SmtpCommand(SmtpVerb Verb);
