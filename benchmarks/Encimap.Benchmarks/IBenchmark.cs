namespace Encimap.Benchmarks;

/// <summary>One subcommand of the benchmark program.</summary>
public interface IBenchmark
{
    /// <summary>One line for the usage text.</summary>
    string Description { get; }

    /// <summary>Runs with the arguments after the subcommand name; returns the exit code.</summary>
    Task<int> RunAsync(BenchmarkArguments arguments);
}
