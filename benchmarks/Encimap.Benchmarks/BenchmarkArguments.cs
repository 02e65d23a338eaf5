using System.Globalization;

namespace Encimap.Benchmarks;

/// <summary><c>--name value</c> options after the subcommand; each benchmark reads its own.</summary>
public sealed class BenchmarkArguments
{
    private readonly Dictionary<string, string> _values;

    private BenchmarkArguments(Dictionary<string, string> values) => _values = values;

    public static BenchmarkArguments Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new ArgumentException($"Expected '--name value', got '{args[i]}'.");
            }

            values[args[i][2..]] = args[++i];
        }

        return new BenchmarkArguments(values);
    }

    public int GetInt(string name, int defaultValue) =>
        _values.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : defaultValue;

    /// <summary>A comma-separated list of integers, e.g. <c>--concurrency 16,64</c>.</summary>
    public IReadOnlyList<int> GetInts(string name, IReadOnlyList<int> defaultValue) =>
        _values.TryGetValue(name, out var text)
            ? text.Split(',').Select(part => int.Parse(part, CultureInfo.InvariantCulture)).ToArray()
            : defaultValue;

    /// <summary>A comma-separated list of strings, e.g. <c>--repos /src/old,/src/new</c>.</summary>
    public IReadOnlyList<string> GetStrings(string name, IReadOnlyList<string> defaultValue) =>
        _values.TryGetValue(name, out var text) ? text.Split(',', StringSplitOptions.RemoveEmptyEntries) : defaultValue;
}
