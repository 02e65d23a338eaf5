namespace Encimap.Smtp;

/// <summary>A line that could not be parsed: the reply says why. <see cref="SmtpCommand.Verb"/> is the verb if it was recognised.</summary>
public sealed record InvalidCommand(SmtpVerb RecognisedVerb, SmtpReply Reply) : SmtpCommand(RecognisedVerb);
