using System.Collections.Concurrent;

namespace Encimap.Grpc.Tests.Infrastructure;

/// <summary>How many times the Echo service was asked to fail with each message (retry tests use a unique one).</summary>
public sealed class EchoCalls
{
    private readonly ConcurrentDictionary<string, int> _failures = new();

    public void RecordFailure(string message) => _failures.AddOrUpdate(message, 1, (_, n) => n + 1);

    public int FailuresFor(string message) => _failures.GetValueOrDefault(message);
}
