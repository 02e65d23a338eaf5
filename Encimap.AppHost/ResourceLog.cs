namespace Encimap.AppHost;

/// <summary>The most recent console lines of one resource, kept for the dashboard.</summary>
public sealed class ResourceLog
{
    private const int Capacity = 5000;
    private readonly Lock _gate = new();
    private readonly Queue<ResourceLogLine> _lines = new();
    private long _sequence;

    public void Append(string text, bool isError)
    {
        lock (_gate)
        {
            _lines.Enqueue(new ResourceLogLine(++_sequence, DateTimeOffset.UtcNow, text, isError));
            while (_lines.Count > Capacity)
            {
                _lines.Dequeue();
            }
        }
    }

    /// <summary>Lines after <paramref name="afterSequence"/>, oldest first (a live tail polls with the last one seen).</summary>
    public IReadOnlyList<ResourceLogLine> Since(long afterSequence)
    {
        lock (_gate)
        {
            return _lines.Where(l => l.Sequence > afterSequence).ToList();
        }
    }
}
