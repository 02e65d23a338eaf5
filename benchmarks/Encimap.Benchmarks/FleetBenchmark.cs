using System.Diagnostics;
using System.Globalization;
using Encimap.Testing;

namespace Encimap.Benchmarks;

/// <summary>
/// The README's run command measured: time from <c>dotnet run --project Encimap.AppHost</c> to a
/// ready fleet on an empty state directory (cold: initdb, migrations) and on the same one again
/// (warm), and the memory of the whole idle fleet (the launcher, the AppHost, DCP, the dashboard,
/// every service and PostgreSQL). <c>--repos a,b</c> measures several built checkouts one after
/// the other in the same run (e.g. the previous commit beside this one); a fleet is ready when it
/// prints <c>fleet ready in</c> or its dashboard answers <c>/api/ready</c>.
/// </summary>
public sealed class FleetBenchmark : IBenchmark
{
    public string Description => "fleet cold/warm time to ready and idle memory (--repos DIR[,DIR] --idle 30 --rounds 2)";

    public async Task<int> RunAsync(BenchmarkArguments arguments)
    {
        var repos = arguments.GetStrings("repos", [RepositoryRoot()]);
        var idle = TimeSpan.FromSeconds(arguments.GetInt("idle", 30));
        var rounds = arguments.GetInt("rounds", 2);
        var results = new List<string>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var repo in repos)
            {
                var state = Directory.CreateTempSubdirectory("encimap-fleet-bench-").FullName;
                try
                {
                    var (cold, rssKib, pssKib, processes) = await MeasureAsync(repo, state, idle);
                    var (warm, _, _, _) = await MeasureAsync(repo, state, TimeSpan.Zero);
                    results.Add(string.Create(CultureInfo.InvariantCulture,
                        $"| {round} | {repo} | {cold.TotalSeconds:0.0} | {warm.TotalSeconds:0.0} | {rssKib / 1024.0:0} | {pssKib / 1024.0:0} | {processes} |"));
                    Console.WriteLine(results[^1]);
                }
                finally
                {
                    Directory.Delete(state, recursive: true);
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine("| round | checkout | cold s | warm s | idle RSS MiB | idle PSS MiB | processes |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        results.ForEach(Console.WriteLine);
        return 0;
    }

    /// <summary>Starts the fleet, waits until ready, idles, sums its memory, stops it with SIGTERM.</summary>
    private static async Task<(TimeSpan Ready, long RssKib, long PssKib, int Processes)> MeasureAsync(string repo, string state, TimeSpan idle)
    {
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repo };
        foreach (var argument in (string[])["dotnet", "run", "--no-build", "--project", "Encimap.AppHost", "--", $"--AppHost:StateDirectory={state}"])
        {
            start.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith("fleet ready in ", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            while (!ready.Task.IsCompleted)
            {
                if (process.HasExited || clock.Elapsed > TimeSpan.FromMinutes(4))
                {
                    throw new InvalidOperationException($"the fleet in {repo} did not become ready");
                }

                if (await IsReadyOnResourcesApiAsync(http))
                {
                    break;
                }

                await Task.WhenAny(ready.Task, Task.Delay(250));
            }

            var elapsed = clock.Elapsed;
            await Task.Delay(idle);
            var fleet = ProcessTable.Fleet(process.Id, state);
            var memory = fleet.Select(ProcessTable.Memory).ToList();
            return (elapsed, memory.Sum(m => m.RssKib), memory.Sum(m => m.PssKib), fleet.Count);
        }
        finally
        {
            Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        }
    }

    // The AppHost before Aspire reported readiness on its own resources API.
    private static async Task<bool> IsReadyOnResourcesApiAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync("http://127.0.0.1:18888/api/ready");
            return response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == "application/json";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Encimap.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Encimap.sln not found above the benchmark");
    }
}
