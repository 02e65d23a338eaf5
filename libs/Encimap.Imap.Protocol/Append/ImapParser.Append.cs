using System.Globalization;

namespace Encimap.Imap.Protocol;

// APPEND, with MULTIAPPEND, and its date-time.
public sealed partial class ImapParser
{
    // append = "APPEND" SP mailbox 1*append-message (RFC 3502 §6)
    private AppendArguments ParseAppend()
    {
        var mailbox = SpaceThen(ReadMailbox);
        var messages = new List<AppendMessage>();
        do
        {
            Space();
            messages.Add(ReadAppendMessage());
        }
        while (Peek() == ' ');

        return new AppendArguments(mailbox, new EquatableList<AppendMessage>(messages));
    }

    // append-message = [flag-list SP] [date-time SP] append-data; append-data = literal / literal8
    private AppendMessage ReadAppendMessage()
    {
        var flags = EquatableList<string>.Empty;
        if (Peek() == '(')
        {
            flags = ReadFlagList();
            Space();
        }

        DateTimeOffset? date = null;
        if (Peek() == '"')
        {
            date = ParseDateTime(ReadQuoted());
            Space();
        }

        if (Peek() == '~')
        {
            // literal8 (BINARY): the same bytes for us.
            _position++;
        }

        if (Peek() != '{')
        {
            throw Error("APPEND needs a literal message");
        }

        var message = ReadLiteral();
        if (message.Length == 0)
        {
            throw Error("empty message");
        }

        return new AppendMessage(flags, date, message);
    }

    private DateTimeOffset ParseDateTime(string text)
    {
        // date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
        var trimmed = text.TrimStart();
        if (DateTimeOffset.TryParseExact(trimmed, ["d-MMM-yyyy HH:mm:ss zzz", "dd-MMM-yyyy HH:mm:ss zzz"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            // zzz expects +hh:mm; IMAP's is +hhmm: handled below.
        }

        var space = trimmed.LastIndexOf(' ');
        if (space > 0 && trimmed.Length - space == 6)
        {
            var zone = trimmed[(space + 1)..];
            if (zone[0] is '+' or '-' && zone[1..].All(char.IsAsciiDigit))
            {
                var local = trimmed[..space];
                if (DateTime.TryParseExact(local, ["d-MMM-yyyy HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var dateTime))
                {
                    var offset = new TimeSpan(int.Parse(zone[1..3], CultureInfo.InvariantCulture), int.Parse(zone[3..5], CultureInfo.InvariantCulture), 0);
                    return new DateTimeOffset(dateTime, zone[0] == '-' ? -offset : offset);
                }
            }
        }

        throw Error($"bad date-time {text}");
    }
}
