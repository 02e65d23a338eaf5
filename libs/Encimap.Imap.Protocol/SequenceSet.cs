using System.Text;

namespace Encimap.Imap.Protocol;

/// <summary>
/// An IMAP sequence set (RFC 3501 <c>sequence-set</c>) of message sequence numbers or UIDs, as
/// written by the client: ranges may be reversed and may contain <c>*</c>, which means "the largest
/// number in use" and is resolved against the mailbox only when the set is used.
/// </summary>
public sealed class SequenceSet : IEquatable<SequenceSet>
{
    /// <summary>The value that represents <c>*</c>.</summary>
    public const uint Star = uint.MaxValue;

    public SequenceSet(IReadOnlyList<SequenceRange> ranges)
    {
        Ranges = ranges;
    }

    public IReadOnlyList<SequenceRange> Ranges { get; }

    /// <summary><c>$</c>: the saved search result (RFC 5182); only parsed, answered as empty.</summary>
    public bool IsSavedResult { get; init; }

    public static SequenceSet Of(params uint[] numbers) => new(numbers.Select(n => new SequenceRange(n, n)).ToArray());

    public static SequenceSet Range(uint first, uint last) => new([new SequenceRange(first, last)]);

    public static SequenceSet All => Range(1, Star);

    /// <summary>Whether <paramref name="n"/> is in the set when <c>*</c> means <paramref name="largest"/>.</summary>
    public bool Contains(uint n, uint largest)
    {
        foreach (var range in Ranges)
        {
            var (low, high) = Normalize(range, largest);
            if (n >= low && n <= high)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The ranges with <c>*</c> replaced and each range in ascending order.</summary>
    public IEnumerable<(uint Low, uint High)> Resolve(uint largest) => Ranges.Select(r => Normalize(r, largest));

    private static (uint Low, uint High) Normalize(SequenceRange range, uint largest)
    {
        var a = range.First == Star ? largest : range.First;
        var b = range.Last == Star ? largest : range.Last;
        return a <= b ? (a, b) : (b, a);
    }

    /// <summary>Parses the wire form; throws <see cref="FormatException"/> when malformed.</summary>
    public static SequenceSet Parse(string text) => TryParse(text) ?? throw new FormatException($"bad sequence set {text}");

    /// <summary>Parses the wire form (<c>1:3,5,7:*</c>); null when malformed.</summary>
    public static SequenceSet? TryParse(ReadOnlySpan<char> text)
    {
        if (text.SequenceEqual("$"))
        {
            return new SequenceSet([]) { IsSavedResult = true };
        }

        var ranges = new List<SequenceRange>();
        foreach (var part in text.ToString().Split(','))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                if (!TryNumber(part, out var n))
                {
                    return null;
                }

                ranges.Add(new SequenceRange(n, n));
            }
            else
            {
                if (!TryNumber(part[..colon], out var a) || !TryNumber(part[(colon + 1)..], out var b))
                {
                    return null;
                }

                ranges.Add(new SequenceRange(a, b));
            }
        }

        return ranges.Count == 0 ? null : new SequenceSet(ranges);
    }

    private static bool TryNumber(string text, out uint value)
    {
        value = 0;
        if (text == "*")
        {
            value = Star;
            return true;
        }

        if (text.Length == 0 || text.Length > 10 || text[0] == '0' || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        var n = ulong.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        if (n is 0 or > uint.MaxValue - 1)
        {
            return false;
        }

        value = (uint)n;
        return true;
    }

    /// <summary>The wire form of an ascending list of numbers, compressed into ranges.</summary>
    public static string Compress(IEnumerable<uint> ascending)
    {
        var builder = new StringBuilder();
        uint start = 0, previous = 0;
        var any = false;
        foreach (var n in ascending)
        {
            if (any && n == previous + 1)
            {
                previous = n;
                continue;
            }

            if (any)
            {
                Append(builder, start, previous);
            }

            start = previous = n;
            any = true;
        }

        if (any)
        {
            Append(builder, start, previous);
        }

        return builder.ToString();

        static void Append(StringBuilder builder, uint start, uint end)
        {
            if (builder.Length > 0)
            {
                builder.Append(',');
            }

            builder.Append(start);
            if (end != start)
            {
                builder.Append(':').Append(end);
            }
        }
    }

    public override string ToString() => IsSavedResult ? "$" : string.Join(',', Ranges);

    public bool Equals(SequenceSet? other) => other is not null && other.ToString() == ToString();

    public override bool Equals(object? obj) => Equals(obj as SequenceSet);

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
