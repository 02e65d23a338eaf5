using System.Globalization;

namespace Encimap.Grpc;

/// <summary>
/// The <c>grpc-timeout</c> header: at most 8 ASCII digits followed by a unit, H M S m u n
/// (hours, minutes, seconds, milliseconds, microseconds, nanoseconds).
/// </summary>
internal static class GrpcTimeout
{
    private const long MaxValue = 99_999_999;

    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is null || value.Length < 2 || value.Length > 9)
        {
            return false;
        }

        var digits = value.AsSpan(0, value.Length - 1);
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        var amount = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        var ticks = value[^1] switch
        {
            'H' => (decimal)amount * TimeSpan.TicksPerHour,
            'M' => (decimal)amount * TimeSpan.TicksPerMinute,
            'S' => (decimal)amount * TimeSpan.TicksPerSecond,
            'm' => (decimal)amount * TimeSpan.TicksPerMillisecond,
            'u' => (decimal)amount * TimeSpan.TicksPerMicrosecond,
            'n' => Math.Ceiling(amount / 100m),
            _ => -1m,
        };
        if (ticks < 0)
        {
            return false;
        }

        timeout = TimeSpan.FromTicks((long)Math.Min(ticks, TimeSpan.MaxValue.Ticks));
        return true;
    }

    /// <summary>
    /// Formats the remaining time in the finest unit that fits in 8 digits, rounding up so that
    /// the server never gives up before the client does.
    /// </summary>
    public static string Format(TimeSpan timeout)
    {
        var ticks = Math.Max(timeout.Ticks, 0);
        var micros = CeilingDivide(ticks, TimeSpan.TicksPerMicrosecond);
        if (micros <= MaxValue)
        {
            return Invariant(Math.Max(micros, 1), 'u');
        }

        var millis = CeilingDivide(ticks, TimeSpan.TicksPerMillisecond);
        if (millis <= MaxValue)
        {
            return Invariant(millis, 'm');
        }

        var seconds = CeilingDivide(ticks, TimeSpan.TicksPerSecond);
        if (seconds <= MaxValue)
        {
            return Invariant(seconds, 'S');
        }

        var minutes = CeilingDivide(ticks, TimeSpan.TicksPerMinute);
        if (minutes <= MaxValue)
        {
            return Invariant(minutes, 'M');
        }

        return Invariant(Math.Min(CeilingDivide(ticks, TimeSpan.TicksPerHour), MaxValue), 'H');
    }

    private static long CeilingDivide(long value, long divisor) => (value + divisor - 1) / divisor;

    private static string Invariant(long amount, char unit) =>
        amount.ToString(CultureInfo.InvariantCulture) + unit;
}
