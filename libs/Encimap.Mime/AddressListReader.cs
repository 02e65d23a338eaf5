using System.Globalization;
using System.Text;
using MimeKit;

namespace Encimap.Mime;

/// <summary>
/// An address-list field body (RFC 5322 §3.4), parsed by MimeKit, as IMAP address structures
/// (RFC 3501 §7.4.2): display names keep their RFC 2047 words, routes are "@a,@b", and a group
/// is bracketed by a start entry (its name as mailbox) and an end entry. IMAP cannot nest
/// groups, so members of a group inside a group are listed in the outer one.
/// </summary>
public static class AddressListReader
{
    /// <summary>
    /// Parses <paramref name="rawValue"/> (the unfolded raw field body, <see cref="RawHeader.Value(Header)"/>).
    /// Never throws. When MimeKit cannot read the whole list (empty members, ";" between
    /// addresses as some mailers write), each member is read alone and unreadable ones are left out.
    /// </summary>
    public static IReadOnlyList<MailAddress> Read(string rawValue)
    {
        ArgumentNullException.ThrowIfNull(rawValue);
        var hidden = EncodedWordShield.Hide(rawValue);
        var text = hidden?.Text ?? rawValue;
        var result = new List<MailAddress>();
        if (InternetAddressList.TryParse(MessageReader.Options, text, out var list))
        {
            foreach (var address in list) Add(address, text, hidden?.Shield, result, inGroup: false);
            return result;
        }

        foreach (var member in TopLevelMembers(text))
        {
            if (InternetAddressList.TryParse(MessageReader.Options, member, out var one))
            {
                foreach (var address in one) Add(address, text, hidden?.Shield, result, inGroup: false);
            }
        }
        return result;
    }

    private static void Add(InternetAddress address, string written, EncodedWordShield? shield, List<MailAddress> result, bool inGroup)
    {
        var name = string.IsNullOrEmpty(address.Name) ? null : shield is null ? address.Name : shield.Restore(address.Name);
        switch (address)
        {
            case MailboxAddress mailbox:
                var route = mailbox.Route.Count == 0 ? null : string.Join(",", mailbox.Route.Select(domain => "@" + domain));
                result.Add(new MailAddress(name, route, mailbox.LocalPart, HostAsWritten(mailbox.Domain ?? "", written)));
                break;
            case GroupAddress group when inGroup:
                foreach (var member in group.Members) Add(member, written, shield, result, inGroup: true);
                break;
            case GroupAddress group:
                result.Add(MailAddress.GroupStart(name ?? ""));
                foreach (var member in group.Members) Add(member, written, shield, result, inGroup: true);
                result.Add(MailAddress.GroupEnd);
                break;
        }
    }

    /// <summary>
    /// MimeKit decodes IDNA domains ("xn--mller-kva.example" reads as "müller.example"); IMAP
    /// reports the domain as written, so the ASCII form is kept when that is what the field has.
    /// </summary>
    private static string HostAsWritten(string domain, string written)
    {
        if (Ascii.IsValid(domain) || written.Contains(domain, StringComparison.OrdinalIgnoreCase))
        {
            return domain;
        }

        try
        {
            var ascii = Idn.GetAscii(domain);
            return written.Contains(ascii, StringComparison.OrdinalIgnoreCase) ? ascii : domain;
        }
        catch (ArgumentException)
        {
            return domain;
        }
    }

    private static readonly IdnMapping Idn = new();

    /// <summary>
    /// The members of a list split at "," and ";" outside quoted strings, comments, angle
    /// brackets and domain literals: a fallback only, for lists MimeKit refuses as a whole.
    /// </summary>
    private static IEnumerable<string> TopLevelMembers(string text)
    {
        var start = 0;
        var depth = 0;
        var quoted = false;
        var angle = false;
        var literal = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\') { i++; continue; }
            if (quoted) { quoted = c != '"'; continue; }
            if (depth > 0) { depth += c == '(' ? 1 : c == ')' ? -1 : 0; continue; }
            switch (c)
            {
                case '"': quoted = true; break;
                case '(': depth = 1; break;
                case '<': angle = true; break;
                case '>': angle = false; break;
                case '[': literal = true; break;
                case ']': literal = false; break;
                case ',' or ';' when !angle && !literal:
                    if (text.AsSpan(start, i - start).Trim().Length > 0) yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        if (text.AsSpan(start).Trim().Length > 0) yield return text[start..];
    }
}
