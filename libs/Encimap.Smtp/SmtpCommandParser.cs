using System.Globalization;
using System.Text;

namespace Encimap.Smtp;

/// <summary>
/// Turns one command line (without its CRLF) into a command record. Pure and stateless: every
/// rule is visible in a table test. Addresses may be UTF-8 (RFC 6531); whether that is allowed in
/// a transaction is the session's decision.
/// </summary>
public static class SmtpCommandParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Longest address accepted in a path (RFC 5321 §4.5.3.1.3 is 256 octets for a path).</summary>
    public const int MaxAddressLength = 254;

    public static SmtpCommand Parse(ReadOnlySpan<byte> line)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(line);
        }
        catch (DecoderFallbackException)
        {
            return new InvalidCommand(SmtpVerb.Unknown, SmtpReply.InvalidUtf8);
        }

        return Parse(text);
    }

    public static SmtpCommand Parse(string line)
    {
        var space = line.IndexOf(' ');
        var verbText = space < 0 ? line : line[..space];
        var argument = space < 0 ? "" : line[(space + 1)..].Trim(' ');
        var verb = ParseVerb(verbText);
        return verb switch
        {
            SmtpVerb.Helo => argument.Length == 0 || argument.Contains(' ')
                ? Syntax(verb, "Syntax: HELO hostname")
                : new HeloCommand(argument),
            SmtpVerb.Ehlo => argument.Length == 0 || argument.Contains(' ')
                ? Syntax(verb, "Syntax: EHLO hostname")
                : new EhloCommand(argument),
            SmtpVerb.Mail => ParseMail(argument),
            SmtpVerb.Rcpt => ParseRcpt(argument),
            SmtpVerb.Data => argument.Length == 0 ? new DataCommand() : Syntax(verb, "Syntax: DATA"),
            SmtpVerb.Bdat => ParseBdat(argument),
            SmtpVerb.Rset => argument.Length == 0 ? new RsetCommand() : Syntax(verb, "Syntax: RSET"),
            SmtpVerb.Noop => new NoopCommand(),
            SmtpVerb.Quit => argument.Length == 0 ? new QuitCommand() : Syntax(verb, "Syntax: QUIT"),
            SmtpVerb.Vrfy => argument.Length == 0 ? Syntax(verb, "Syntax: VRFY address") : new VrfyCommand(argument),
            SmtpVerb.Expn => argument.Length == 0 ? Syntax(verb, "Syntax: EXPN list") : new ExpnCommand(argument),
            SmtpVerb.Help => new HelpCommand(argument.Length == 0 ? null : argument),
            SmtpVerb.StartTls => argument.Length == 0 ? new StartTlsCommand() : Syntax(verb, "Syntax: STARTTLS"),
            SmtpVerb.Auth => ParseAuth(argument),
            _ => new InvalidCommand(SmtpVerb.Unknown, SmtpReply.CommandUnrecognized),
        };
    }

    public static SmtpVerb ParseVerb(string verb) => verb.ToUpperInvariant() switch
    {
        "HELO" => SmtpVerb.Helo,
        "EHLO" => SmtpVerb.Ehlo,
        "MAIL" => SmtpVerb.Mail,
        "RCPT" => SmtpVerb.Rcpt,
        "DATA" => SmtpVerb.Data,
        "BDAT" => SmtpVerb.Bdat,
        "RSET" => SmtpVerb.Rset,
        "NOOP" => SmtpVerb.Noop,
        "QUIT" => SmtpVerb.Quit,
        "VRFY" => SmtpVerb.Vrfy,
        "EXPN" => SmtpVerb.Expn,
        "HELP" => SmtpVerb.Help,
        "STARTTLS" => SmtpVerb.StartTls,
        "AUTH" => SmtpVerb.Auth,
        _ => SmtpVerb.Unknown,
    };

    private static SmtpCommand ParseMail(string argument)
    {
        if (!TryPath(argument, "FROM:", allowNull: true, out var path, out var parameters, out var error))
        {
            return new InvalidCommand(SmtpVerb.Mail, error ?? SyntaxReply("Syntax: MAIL FROM:<address>"));
        }

        long? size = null;
        var body = SmtpBodyType.Unspecified;
        var utf8 = false;
        foreach (var (key, value) in parameters)
        {
            switch (key)
            {
                case "SIZE" when value is not null && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var declared):
                    size = declared;
                    break;
                case "SIZE":
                    return Syntax(SmtpVerb.Mail, "Bad SIZE parameter");
                case "BODY":
                    switch (value?.ToUpperInvariant())
                    {
                        case "7BIT": body = SmtpBodyType.SevenBit; break;
                        case "8BITMIME": body = SmtpBodyType.EightBitMime; break;
                        case "BINARYMIME": body = SmtpBodyType.BinaryMime; break;
                        default: return new InvalidCommand(SmtpVerb.Mail, new SmtpReply(501, "5.5.4", "Error: bad BODY parameter"));
                    }

                    break;
                case "SMTPUTF8" when value is null:
                    utf8 = true;
                    break;
                case "AUTH" when value is not null:
                    // RFC 4954 §5: the submitter's claim; we know who authenticated, so it is ignored.
                    break;
                default:
                    return Unsupported(SmtpVerb.Mail, key);
            }
        }

        return new MailCommand(path, size, body, utf8);
    }

    private static SmtpCommand ParseRcpt(string argument)
    {
        if (!TryPath(argument, "TO:", allowNull: false, out var path, out var parameters, out var error))
        {
            return new InvalidCommand(SmtpVerb.Rcpt, error ?? SyntaxReply("Syntax: RCPT TO:<address>"));
        }

        return parameters.Count > 0 ? Unsupported(SmtpVerb.Rcpt, parameters[0].Key) : new RcptCommand(path);
    }

    private static SmtpCommand ParseBdat(string argument)
    {
        var parts = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 1 or > 2
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || (parts.Length == 2 && !parts[1].Equals("LAST", StringComparison.OrdinalIgnoreCase)))
        {
            return Syntax(SmtpVerb.Bdat, "Syntax: BDAT size [LAST]");
        }

        return new BdatCommand(size, parts.Length == 2);
    }

    private static SmtpCommand ParseAuth(string argument)
    {
        var parts = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 1 or > 2)
        {
            return Syntax(SmtpVerb.Auth, "Syntax: AUTH mechanism [initial-response]");
        }

        return new AuthCommand(parts[0].ToUpperInvariant(), parts.Length == 2 ? parts[1] : null);
    }

    /// <summary>"FROM:&lt;path&gt; [params]": tolerates a space after the colon and a missing pair of brackets.</summary>
    private static bool TryPath(string argument, string prefix, bool allowNull, out string path, out List<KeyValuePair<string, string?>> parameters, out SmtpReply? error)
    {
        path = "";
        parameters = [];
        error = null;
        if (!argument.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = argument[prefix.Length..].TrimStart(' ');
        string pathText;
        string tail;
        if (rest.StartsWith('<'))
        {
            var close = rest.IndexOf('>');
            if (close < 0)
            {
                return false;
            }

            pathText = rest[1..close];
            tail = rest[(close + 1)..];
            if (tail.Length > 0 && tail[0] != ' ')
            {
                return false;
            }
        }
        else
        {
            var end = rest.IndexOf(' ');
            pathText = end < 0 ? rest : rest[..end];
            tail = end < 0 ? "" : rest[end..];
            if (pathText.Length == 0)
            {
                return false;
            }
        }

        // Source routes (RFC 5321 §4.1.1.3: "@a,@b:user@c") are accepted and ignored.
        if (pathText.StartsWith('@'))
        {
            var colon = pathText.IndexOf(':');
            if (colon < 0)
            {
                return false;
            }

            pathText = pathText[(colon + 1)..];
        }

        if (pathText.Length == 0)
        {
            if (!allowNull)
            {
                error = new SmtpReply(501, "5.1.3", "Error: empty address");
                return false;
            }
        }
        else if (!IsValidAddress(pathText, allowBareLocalPart: !allowNull))
        {
            error = new SmtpReply(501, allowNull ? "5.1.7" : "5.1.3", "Error: bad address syntax");
            return false;
        }

        path = pathText;
        foreach (var parameter in tail.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = parameter.IndexOf('=');
            var key = (equals < 0 ? parameter : parameter[..equals]).ToUpperInvariant();
            var value = equals < 0 ? null : parameter[(equals + 1)..];
            if (key.Length == 0)
            {
                return false;
            }

            parameters.Add(new(key, value));
        }

        return true;
    }

    /// <summary>
    /// local@domain with a dot-atom or quoted local part and a domain name or address literal;
    /// "Postmaster" alone when <paramref name="allowBareLocalPart"/> (RCPT TO:&lt;Postmaster&gt;).
    /// </summary>
    public static bool IsValidAddress(string address, bool allowBareLocalPart = false)
    {
        if (address.Length == 0 || address.Length > MaxAddressLength)
        {
            return false;
        }

        foreach (var c in address)
        {
            if (c <= ' ' || c == 0x7f)
            {
                if (!(c == ' ' && address.StartsWith('"')))
                {
                    return false;
                }
            }
        }

        var at = address.LastIndexOf('@');
        if (at < 0)
        {
            return allowBareLocalPart && address.Equals("postmaster", StringComparison.OrdinalIgnoreCase);
        }

        var local = address[..at];
        var domain = address[(at + 1)..];
        if (local.Length is 0 or > 64 || domain.Length == 0)
        {
            return false;
        }

        if (local.StartsWith('"'))
        {
            if (local.Length < 2 || !local.EndsWith('"'))
            {
                return false;
            }
        }
        else if (local.StartsWith('.') || local.EndsWith('.') || local.Contains("..") || local.IndexOfAny(['(', ')', '<', '>', ',', ';', ':', '\\', '"', '[', ']', '@']) >= 0)
        {
            return false;
        }

        if (domain.StartsWith('['))
        {
            return domain.EndsWith(']') && domain.Length > 2;
        }

        foreach (var label in domain.Split('.'))
        {
            if (label.Length is 0 or > 63 || label.StartsWith('-') || label.EndsWith('-'))
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!(char.IsLetterOrDigit(c) || c == '-' || c > 0x7f))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static InvalidCommand Syntax(SmtpVerb verb, string text) => new(verb, SyntaxReply(text));

    private static SmtpReply SyntaxReply(string text) => new(501, "5.5.4", text);

    private static InvalidCommand Unsupported(SmtpVerb verb, string key) =>
        new(verb, new SmtpReply(555, "5.5.4", $"Error: unsupported parameter {key}"));
}
