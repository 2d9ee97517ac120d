using System.Globalization;
using System.Text.Json;

namespace KafkaNative.Bench;

/// <summary>
/// <c>compare --workload produce|consume --messages N --size S [--compression C] [--rounds R] [--peers kcat,confluent]
/// [--partitions P] [--clients kafkanative,...] [--warmup W] [--json FILE] [--transactional-id ID [--transaction-size N] [--abort-every K]]</c>: our client, kcat and Confluent.Kafka,
/// each a whole process measured from outside the same way, each step on a fresh cluster in this process
/// (see <see cref="CompareStep"/>), rounds rotating the order. Prints a progress line per step to stderr and
/// the table of medians (<see cref="CompareReport"/>) to stdout; --json gets every step's result as a line.
/// </summary>
internal static class CompareBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        CompareSettings settings = CompareSettings.Parse(args);
        if (settings.LeftOut is not null) Console.Error.WriteLine(settings.LeftOut);
        string workDirectory = Path.Combine(Path.GetTempPath(), $"kafkanative-compare-{Environment.ProcessId}");
        Directory.CreateDirectory(workDirectory);
        if (!TimedChild.HasTime) Console.Error.WriteLine("/usr/bin/time is missing: wall clock and getrusage instead, no peak RSS.");
        try
        {
            var step = new CompareStep(settings, workDirectory);
            if (settings.Workload == "produce" && settings.Clients.Contains("kcat")) await step.WriteKcatInputAsync();
            if (settings.JsonFile is not null) File.WriteAllText(settings.JsonFile, "");

            var results = new List<StepResult>();
            for (int round = 0; round < settings.Rounds; round++)
            {
                IReadOnlyList<string> order = settings.OrderOfRound(round);
                for (int position = 0; position < order.Count; position++)
                {
                    StepResult result;
                    try
                    {
                        result = await step.RunAsync(order[position], round + 1, position + 1);
                    }
                    catch (Exception e) when (e is not ArgumentException)
                    {
                        // One broken step (a child past its deadline, a fill that failed) leaves the others to run.
                        result = StepResult.Broken(settings, order[position], round + 1, position + 1, e);
                    }
                    results.Add(result);
                    Console.Error.WriteLine(Progress(settings, result));
                    // Written as each step ends, so a long run that dies keeps what it measured.
                    if (settings.JsonFile is not null) File.AppendAllText(settings.JsonFile, JsonSerializer.Serialize(result, ClientCommand.Json) + "\n");
                }
            }
            CompareReport.Print(settings, results, Console.Out);
            return results.All(r => r.Ok) ? 0 : 1;
        }
        finally
        {
            Directory.Delete(workDirectory, recursive: true);
        }
    }

    private static string Progress(CompareSettings settings, StepResult r)
    {
        string failure = r.Ok ? "" : $"FAILED ({r.Error}); ";
        string rss = r.PeakRssMiB?.ToString("F0", CultureInfo.InvariantCulture) ?? "n/a";
        string inLoop = r.InLoopMsgsPerSec?.ToString("N0", CultureInfo.InvariantCulture) ?? "n/a";
        string transactions = r.InLoopTxnsPerSec is double perSecond ? string.Create(CultureInfo.InvariantCulture, $", {perSecond:N1} txns/s in loop") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"round {r.Round}/{settings.Rounds} step {r.Position}/{settings.Clients.Count} {r.Client} {r.Workload}: {failure}wall {r.WallSeconds:F2} s, " +
            $"{r.WholeMsgsPerSec:N0} msgs/s, CPU {r.WholeCpuUsPerMsg:F3} µs/msg, RSS {rss} MiB, in loop {inLoop} msgs/s{transactions}, broker {r.BrokerUsPerMsg:F3} µs/msg");
    }
}
