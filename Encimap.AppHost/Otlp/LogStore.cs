using Microsoft.Extensions.Options;

namespace Encimap.AppHost.Otlp;

/// <summary>The most recent structured log records (at most <see cref="TelemetryStoreOptions.MaxLogRecords"/>), oldest out first.</summary>
public sealed class LogStore(IOptions<TelemetryStoreOptions> options)
{
    private readonly int _capacity = Math.Max(1, options.Value.MaxLogRecords);
    private readonly Lock _gate = new();
    private readonly Queue<LogEntry> _records = new();
    private long _sequence;

    public int Count
    {
        get { lock (_gate) { return _records.Count; } }
    }

    public void Add(IEnumerable<LogEntry> records)
    {
        lock (_gate)
        {
            foreach (var record in records)
            {
                _records.Enqueue(record with { Sequence = ++_sequence });
                while (_records.Count > _capacity)
                {
                    _records.Dequeue();
                }
            }
        }
    }

    /// <summary>
    /// Records newest first (the newest received, ordered by their timestamps). <paramref name="minimumLevel"/> keeps that level and above
    /// (<c>Warning</c> also shows errors); <paramref name="search"/> looks in the message, category
    /// and attribute values; <paramref name="after"/> keeps only records received after that sequence.
    /// </summary>
    public LogQueryResult Query(string? service = null, string? minimumLevel = null, string? traceId = null, string? search = null, long after = 0, int limit = 500)
    {
        var minimum = string.IsNullOrEmpty(minimumLevel) ? -1 : LogEntry.IndexOf(minimumLevel);
        LogEntry[] records;
        long last;
        lock (_gate)
        {
            records = _records.ToArray();
            last = _sequence;
        }

        var matches = new List<LogEntry>();
        var total = 0;
        for (var i = records.Length - 1; i >= 0; i--)
        {
            var record = records[i];
            if (record.Sequence <= after)
            {
                break;
            }

            if ((string.IsNullOrEmpty(service) || record.Service == service)
                && (minimum < 0 || record.LevelRank >= minimum)
                && (string.IsNullOrEmpty(traceId) || record.TraceId.Equals(traceId, StringComparison.OrdinalIgnoreCase))
                && (string.IsNullOrEmpty(search) || Matches(record, search)))
            {
                total++;
                if (matches.Count < Math.Clamp(limit, 1, 5000))
                {
                    matches.Add(record);
                }
            }
        }

        // Batches of several services interleave: show the newest records by their own time.
        matches.Sort((a, b) => b.Timestamp != a.Timestamp ? b.Timestamp.CompareTo(a.Timestamp) : b.Sequence.CompareTo(a.Sequence));
        return new LogQueryResult(matches, total, last);
    }

    public IReadOnlyList<string> Services()
    {
        lock (_gate)
        {
            return _records.Select(r => r.Service).Distinct().Order(StringComparer.Ordinal).ToList();
        }
    }

    private static bool Matches(LogEntry record, string search) =>
        record.Message.Contains(search, StringComparison.OrdinalIgnoreCase)
        || record.Category.Contains(search, StringComparison.OrdinalIgnoreCase)
        || record.Attributes.Any(a => a.Value.Contains(search, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Matching records (newest first, at most the limit), how many matched in all, and the last sequence received.</summary>
public sealed record LogQueryResult(IReadOnlyList<LogEntry> Records, int Total, long LastSequence);
