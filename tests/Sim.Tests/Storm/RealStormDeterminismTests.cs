using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace KafkaNative.Sim.Tests.Storm;

/// <summary>
/// <c>storm --real</c> on virtual time repeats for a seed: the CLI runs twice in fresh processes (the virtual-time
/// driver watches the whole process's thread pool, so other tests' work must not share it) and the runs' numbers are compared.
/// </summary>
public sealed class RealStormDeterminismTests(ITestOutputHelper output) : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"storm-determinism-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
    }

    /// <summary>
    /// Every number of the run repeats, for both clients: records offered, acknowledged, failed, lost and duplicated,
    /// Produce and Metadata requests, timers fired. The CLI runs virtual-time real runs with one
    /// thread-pool worker (it starts itself again so), since with several, work due at one virtual instant races.
    /// </summary>
    [Fact]
    public async Task TheSameSeedGivesTheSameRealRun()
    {
        string first = await RunCliAsync("first");
        string second = await RunCliAsync("second");

        foreach (string config in new[] { "budgeted", "naive" })
        {
            var a = Numbers(first, config);
            var b = Numbers(second, config);
            output.WriteLine($"{config}: {string.Join(", ", a.Select(pair => $"{pair.Key} {pair.Value}"))}");
            Assert.Equal(a, b);
            Assert.Equal(a["offered"], a["succeeded"] + a["failed"]);
            Assert.Equal(0, a["lost"]);
        }
        var budgeted = Numbers(first, "budgeted");
        Assert.Equal(0, budgeted["duplicated"]);
        Assert.Equal(budgeted["offered"], budgeted["acknowledged"]);
    }

    private async Task<string> RunCliAsync(string name)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "KafkaNative.Cli.dll");
        string outputDirectory = Path.Combine(directory, name);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { dll, "storm", "--scenario", "chaos-monkey", "--real", "--seconds", "24", "--rate", "40", "--clients", "2", "--seed", "7", "--out", outputDirectory })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"storm --real did not finish within 5 minutes: {await stdout}{await stderr}");
        }
        Assert.True(process.ExitCode == 0, $"storm --real exited {process.ExitCode}: {await stdout}{await stderr}");
        output.WriteLine(await stdout);
        return outputDirectory;
    }

    /// <summary>The run's whole-number results (its real.json), by name.</summary>
    private static Dictionary<string, long> Numbers(string outputDirectory, string config)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outputDirectory, "chaos-monkey", $"real-{config}", "real.json")));
        return json.RootElement.EnumerateObject()
            .Where(property => property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt64(out _))
            .ToDictionary(property => property.Name, property => property.Value.GetInt64());
    }
}
