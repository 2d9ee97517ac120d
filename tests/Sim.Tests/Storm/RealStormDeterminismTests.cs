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
    /// With the budgeted client, what every record went through repeats exactly. Requests and timers fired may
    /// differ by a few per cent between runs, and with the naive client (calls abandoned mid-flight, retries racing
    /// their own earlier calls) so may acknowledgements and duplicates: within one virtual instant thread-pool workers
    /// still race. Those are printed, not asserted; offered records and verdicts are.
    /// </summary>
    [Fact]
    public async Task TheSameSeedGivesTheSameRealRun()
    {
        string[] exact = ["offered", "acknowledged", "succeeded", "failed", "lost", "duplicated", "outOfOrder", "consumed"];
        string first = await RunCliAsync("first");
        string second = await RunCliAsync("second");

        foreach (string config in new[] { "budgeted", "naive" })
        {
            var a = Numbers(first, config);
            var b = Numbers(second, config);
            output.WriteLine($"{config}: {string.Join(", ", a.Select(pair => $"{pair.Key} {pair.Value}" + (b[pair.Key] == pair.Value ? "" : $" / {b[pair.Key]}")))}");
            Assert.Equal(a["offered"], b["offered"]);
            Assert.Equal(a["offered"], a["succeeded"] + a["failed"]);
            Assert.Equal(0, a["lost"]);
        }
        var budgeted = Numbers(first, "budgeted");
        Assert.Equal(exact.Select(name => budgeted[name]), exact.Select(name => Numbers(second, "budgeted")[name]));
        Assert.Equal(0, budgeted["duplicated"]);
        Assert.Equal(budgeted["offered"], budgeted["acknowledged"]);
    }

    private async Task<string> RunCliAsync(string name)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "kafkanative-sim.dll");
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
