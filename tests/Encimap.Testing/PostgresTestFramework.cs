using Xunit.Abstractions;
using Xunit.Sdk;

namespace Encimap.Testing;

/// <summary>
/// The xunit 2 way to an assembly-level fixture: a test project that declares
/// <c>[assembly: Xunit.TestFramework("Encimap.Testing.PostgresTestFramework", "Encimap.Testing")]</c>
/// gets the shared cluster stopped when its test run ends, rather than at process exit.
/// </summary>
public sealed class PostgresTestFramework : XunitTestFramework
{
    /// <summary>Called by xunit.</summary>
    public PostgresTestFramework(IMessageSink messageSink)
        : base(messageSink)
    {
        DisposalTracker.Add(new ClusterStopper());
    }

    private sealed class ClusterStopper : IDisposable
    {
        public void Dispose() => PostgresTestCluster.StopAsync().GetAwaiter().GetResult();
    }
}
