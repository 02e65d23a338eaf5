namespace Encimap.Smtp;

/// <summary>The BODY parameter of MAIL (RFC 6152, RFC 3030).</summary>
public enum SmtpBodyType
{
    /// <summary>No BODY parameter.</summary>
    Unspecified,
    SevenBit,
    EightBitMime,
    BinaryMime,
}
