using System.Globalization;

namespace Encimap.Mime;

/// <summary>
/// Date-time fields (RFC 5322 §3.3) and the forms seen in the wild: obsolete zone names (UT, GMT,
/// EST ... PDT, military letters; §4.3), missing seconds or zone, two- and three-digit years,
/// missing day of week, day and month swapped (asctime), "dd-Mon-yyyy", zone names after the
/// offset, ISO 8601. What cannot be read is null, never an exception.
/// </summary>
public static class DateParser
{
    private const int MaxInputLength = 512;

    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    private static readonly string[] Days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    // RFC 5322 §4.3 plus zone names common enough in mail to be worth reading.
    private static readonly Dictionary<string, int> ZoneMinutes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["UT"] = 0, ["UTC"] = 0, ["GMT"] = 0, ["Z"] = 0,
        ["EST"] = -5 * 60, ["EDT"] = -4 * 60, ["CST"] = -6 * 60, ["CDT"] = -5 * 60,
        ["MST"] = -7 * 60, ["MDT"] = -6 * 60, ["PST"] = -8 * 60, ["PDT"] = -7 * 60,
        ["CET"] = 60, ["CEST"] = 120, ["MET"] = 60, ["MEST"] = 120, ["BST"] = 60,
        ["EET"] = 120, ["EEST"] = 180, ["WET"] = 0, ["WEST"] = 60, ["JST"] = 9 * 60,
    };

    private sealed class Fields
    {
        public int? Month;
        public readonly List<string> Numbers = [];
        public int Hour, Minute, Second;
        public bool HasTime;
        public bool? Pm;
        public int? OffsetMinutes;
    }

    /// <summary>Parses a Date field body; null when it holds no recognisable date.</summary>
    public static DateTimeOffset? Parse(string value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxInputLength) return null;
        var text = StripComments(value).Trim();
        if (TryParseIso8601(text, out var iso)) return iso;

        var fields = new Fields();
        foreach (var token in Tokenize(text))
        {
            if (!ReadToken(token, fields)) return null;
        }
        return Assemble(fields);
    }

    private static IEnumerable<string> Tokenize(string text)
    {
        foreach (var token in text.Split([' ', '\t', ',', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            // "05-Jan-2024" (IMAP and some mailers): split dashes between letters and digits.
            if (token.Contains('-') && token[0] != '-' && token.Any(char.IsLetter))
            {
                foreach (var part in token.Split('-', StringSplitOptions.RemoveEmptyEntries)) yield return part;
            }
            else
            {
                yield return token;
            }
        }
    }

    /// <summary>Classifies one token; false for a token that cannot be part of a date.</summary>
    private static bool ReadToken(string token, Fields fields)
    {
        if (token.Contains(':') && char.IsAsciiDigit(token[0])) return ReadTime(token, fields);
        if (token[0] is '+' or '-') return ReadOffset(token, fields) || fields.OffsetMinutes is not null;
        if (token.All(char.IsAsciiDigit))
        {
            if (token.Length > 4) return false;
            fields.Numbers.Add(token);
            return true;
        }
        if (token.Equals("am", StringComparison.OrdinalIgnoreCase) || token.Equals("pm", StringComparison.OrdinalIgnoreCase))
        {
            fields.Pm = token.Equals("pm", StringComparison.OrdinalIgnoreCase);
            return true;
        }
        var lower = token.TrimEnd('.').ToLowerInvariant();
        if (lower.Length >= 3 && Array.IndexOf(Months, lower[..3]) is var month and >= 0 && lower.All(char.IsAsciiLetter))
        {
            if (fields.Month is null) fields.Month = month + 1;
            return true;
        }
        if (lower.Length >= 3 && Array.IndexOf(Days, lower[..3]) >= 0 && lower.All(char.IsAsciiLetter)) return true;
        return ReadZoneName(token, fields);
    }

    private static bool ReadTime(string token, Fields fields)
    {
        var parts = token.Split(':');
        if (parts.Length is < 2 or > 3) return false;
        var secondsText = parts.Length == 3 ? parts[2] : "0";
        var fraction = secondsText.IndexOfAny(['.', ',']);
        if (fraction >= 0) secondsText = secondsText[..fraction];
        // A zone glued to the time: "10:00:00+0100", "10:00:00Z".
        var glued = secondsText.IndexOfAny(['+', '-', 'Z', 'z']);
        if (glued > 0)
        {
            if (!ReadOffset(secondsText[glued..], fields) && !ReadZoneName(secondsText[glued..], fields)) return false;
            secondsText = secondsText[..glued];
        }
        if (!TryNumber(parts[0], 2, out fields.Hour) || !TryNumber(parts[1], 2, out fields.Minute)
            || !TryNumber(secondsText, 2, out fields.Second)) return false;
        fields.HasTime = true;
        return true;
    }

    /// <summary>"+hhmm", "-hhmm", "+hh:mm", "+hh".</summary>
    private static bool ReadOffset(string token, Fields fields)
    {
        var sign = token[0] == '-' ? -1 : 1;
        var digits = token[1..].Replace(":", "");
        if (digits.Length is not (2 or 4) || !digits.All(char.IsAsciiDigit)) return false;
        var hours = int.Parse(digits[..2], CultureInfo.InvariantCulture);
        var minutes = digits.Length == 4 ? int.Parse(digits[2..], CultureInfo.InvariantCulture) : 0;
        if (fields.OffsetMinutes is null || fields.OffsetMinutes == 0)
        {
            fields.OffsetMinutes = sign * (hours * 60 + minutes);
        }
        return true;
    }

    /// <summary>Zone names: RFC 5322 §4.3 (military letters count as -0000), "GMT+0100".</summary>
    private static bool ReadZoneName(string token, Fields fields)
    {
        if (ZoneMinutes.TryGetValue(token, out var minutes))
        {
            fields.OffsetMinutes ??= minutes;
            return true;
        }
        if (token.Length == 1 && char.IsAsciiLetter(token[0]) && token[0] is not ('j' or 'J'))
        {
            fields.OffsetMinutes ??= 0;
            return true;
        }
        foreach (var prefix in (string[])["GMT", "UTC", "UT"])
        {
            if (token.Length > prefix.Length && token.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                && token[prefix.Length] is '+' or '-')
            {
                return ReadOffset(token[prefix.Length..], fields);
            }
        }
        // An unknown alphabetic zone name ("MSK", "AEST") reads as -0000; anything else is not a date.
        if (token.Length <= 5 && token.All(char.IsAsciiLetter))
        {
            fields.OffsetMinutes ??= 0;
            return true;
        }
        return false;
    }

    private static DateTimeOffset? Assemble(Fields fields)
    {
        if (fields.Month is not { } month || fields.Numbers.Count < 2) return null;
        var (dayText, yearText) = PickDayAndYear(fields.Numbers[0], fields.Numbers[1]);
        if (!int.TryParse(dayText, NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            || !int.TryParse(yearText, NumberStyles.None, CultureInfo.InvariantCulture, out var year)) return null;

        // RFC 5322 §4.3: two-digit years 00-49 are 2000-2049, 50-99 are 1950-1999; three digits add 1900.
        year = yearText.Length switch
        {
            <= 2 => year < 50 ? 2000 + year : 1900 + year,
            3 => 1900 + year,
            _ => year,
        };
        var hour = fields.Hour;
        if (fields.Pm is true && hour < 12) hour += 12;
        if (fields.Pm is false && hour == 12) hour = 0;
        var second = Math.Min(fields.Second, 59); // a leap second reads as :59
        var offset = fields.OffsetMinutes ?? 0;
        if (Math.Abs(offset) > 14 * 60) offset = 0;

        if (year is < 1 or > 9999 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || fields.Minute > 59) return null;
        return new DateTimeOffset(year, month, day, hour, fields.Minute, second, TimeSpan.FromMinutes(offset));
    }

    /// <summary>Day and year from the first two numbers: the year is the four-digit or larger one, else the second.</summary>
    private static (string Day, string Year) PickDayAndYear(string first, string second) =>
        first.Length > 2 || (int.TryParse(first, out var value) && value > 31) ? (second, first) : (first, second);

    private static bool TryNumber(string text, int maxDigits, out int value)
    {
        value = 0;
        return text.Length is > 0 && text.Length <= maxDigits && text.All(char.IsAsciiDigit)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryParseIso8601(string text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length < 10 || !char.IsAsciiDigit(text[0]) || text[4] != '-' || text[7] != '-') return false;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out value);
    }

    private static string StripComments(string value)
    {
        if (!value.Contains('(')) return value;
        var builder = new System.Text.StringBuilder(value.Length);
        var pos = 0;
        while (pos < value.Length)
        {
            if (value[pos] == '(')
            {
                pos = ParameterParser.SkipComment(value, pos);
                builder.Append(' ');
            }
            else
            {
                builder.Append(value[pos++]);
            }
        }
        return builder.ToString();
    }
}
