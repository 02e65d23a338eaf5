using System.Buffers;

namespace Encimap.Smtp;

/// <summary>Where decoding DATA content stands.</summary>
public enum SmtpDataStatus
{
    /// <summary>More input is needed.</summary>
    NeedMore,
    /// <summary>The end-of-data line (CRLF "." CRLF) was read.</summary>
    Complete,
    /// <summary>An LF not preceded by CR: refused as Postfix's smtpd_forbid_bare_newline does (no SMTP smuggling).</summary>
    BareLineFeed,
    /// <summary>A CR not followed by LF.</summary>
    BareCarriageReturn,
}
