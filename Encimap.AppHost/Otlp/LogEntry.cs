namespace Encimap.AppHost.Otlp;

/// <summary>One structured log record as the dashboard keeps it, decoded from OTLP.</summary>
public sealed record LogEntry(
    long Sequence,
    DateTimeOffset Timestamp,
    string Service,
    int SeverityNumber,
    string Level,
    string Category,
    string Message,
    string TraceId,
    string SpanId,
    string? EventName,
    IReadOnlyList<TelemetryAttribute> Attributes)
{
    /// <summary>The levels of <c>Microsoft.Extensions.Logging</c>, in order, as the filter offers them.</summary>
    public static readonly IReadOnlyList<string> Levels = ["Trace", "Debug", "Information", "Warning", "Error", "Critical"];

    /// <summary>OTLP's severity number (1–24, four per level) as a .NET level name; the text when the number is unset.</summary>
    public static string LevelOf(int severityNumber, string? severityText) => severityNumber switch
    {
        >= 1 and <= 4 => "Trace",
        >= 5 and <= 8 => "Debug",
        >= 9 and <= 12 => "Information",
        >= 13 and <= 16 => "Warning",
        >= 17 and <= 20 => "Error",
        >= 21 => "Critical",
        _ => Levels.FirstOrDefault(l => severityText is { Length: > 0 } t && l.StartsWith(t, StringComparison.OrdinalIgnoreCase)) ?? "Information",
    };

    /// <summary>Position of <see cref="Level"/> in <see cref="Levels"/> (Information when unknown).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int LevelRank => IndexOf(Level) is var rank and >= 0 ? rank : 2;

    public static int IndexOf(string level)
    {
        for (var i = 0; i < Levels.Count; i++)
        {
            if (string.Equals(Levels[i], level, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
