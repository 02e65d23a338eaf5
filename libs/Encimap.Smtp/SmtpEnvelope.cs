using System.Net;

namespace Encimap.Smtp;

/// <summary>The envelope of one transaction.</summary>
public sealed record SmtpEnvelope(
    string ReversePath,
    IReadOnlyList<string> Recipients,
    SmtpBodyType Body,
    bool SmtpUtf8,
    long? DeclaredSize);
