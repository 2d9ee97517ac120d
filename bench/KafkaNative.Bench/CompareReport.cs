using System.Globalization;

namespace KafkaNative.Bench;

/// <summary>The <c>compare</c> table: per client, the median of each figure over its successful rounds, then each build of ours over each peer.</summary>
internal static class CompareReport
{
    private sealed record Column(string Header, string Format, Func<StepResult, double?> Figure);

    private static readonly Column[] Figures =
    [
        new("msgs/s (whole process)", "N0", r => r.WholeMsgsPerSec),
        new("CPU µs/msg (whole process)", "F3", r => r.WholeCpuUsPerMsg),
        new("peak RSS MiB", "F1", r => r.PeakRssMiB),
        new("msgs/s (in loop)", "N0", r => r.InLoopMsgsPerSec),
        new("CPU µs/msg (in loop)", "F3", r => r.InLoopCpuUsPerMsg),
        new("broker µs/msg", "F3", r => r.BrokerUsPerMsg),
        new("msgs/request", "N0", r => r.MsgsPerRequest),
        new("alloc B/msg", "F1", r => r.AllocBytesPerMsg),
    ];

    private static readonly Column[] TransactionFigures =
    [
        new("txns/s (whole process)", "N1", r => r.WholeTxnsPerSec),
        new("txns/s (in loop)", "N1", r => r.InLoopTxnsPerSec),
    ];

    public static void Print(CompareSettings settings, IReadOnlyList<StepResult> results, TextWriter output)
    {
        string transactions = !settings.Transactional ? ""
            : $", transactions of {settings.TransactionSize:N0} records ({(settings.AbortEvery > 0 ? $"one in {settings.AbortEvery} aborted" : "all committed")}), " +
              "read_committed count checked after each step";
        output.WriteLine($"compare {settings.Workload}: {settings.Messages:N0} × {settings.Size} B, compression {settings.Compression}, " +
            $"{settings.Partitions} partitions RF 3, acks=all{transactions}, {settings.Rounds} round(s), medians; {Environment.ProcessorCount} cores, load {LoadAverage()}");
        if (settings.LeftOut is not null) output.WriteLine(settings.LeftOut);
        output.WriteLine();
        Column[] columns = settings.Transactional ? [.. Figures, .. TransactionFigures] : Figures;
        output.WriteLine($"| client | ok runs | {string.Join(" | ", columns.Select(c => c.Header))} |");
        output.WriteLine($"| --- | ---: | {string.Join(" | ", columns.Select(_ => "---:"))} |");
        foreach (string client in settings.Clients)
        {
            StepResult[] ok = results.Where(r => r.Client == client && r.Ok).ToArray();
            int runs = results.Count(r => r.Client == client);
            output.WriteLine($"| {client} | {ok.Length}/{runs} | {string.Join(" | ", columns.Select(c => Number(Median(ok, c.Figure), c.Format)))} |");
        }
        output.WriteLine();
        foreach (string ours in settings.Clients.Where(c => c.StartsWith(CompareSettings.Ours, StringComparison.Ordinal)))
        foreach (string peer in settings.Clients.Where(c => !c.StartsWith(CompareSettings.Ours, StringComparison.Ordinal)))
        {
            output.WriteLine($"- {ours}/{peer}: msgs/s whole process {Ratio(results, ours, peer, r => r.WholeMsgsPerSec)}, in loop {Ratio(results, ours, peer, r => r.InLoopMsgsPerSec)}; " +
                $"CPU µs/msg whole process {Ratio(results, ours, peer, r => r.WholeCpuUsPerMsg)}, in loop {Ratio(results, ours, peer, r => r.InLoopCpuUsPerMsg)}");
        }
        // Failed steps are left out of the medians: say which and why, so no table hides them.
        foreach (StepResult failed in results.Where(r => !r.Ok))
            output.WriteLine($"- FAILED: round {failed.Round} {failed.Client}: {failed.Error}");
    }

    private static string Ratio(IReadOnlyList<StepResult> results, string client, string peer, Func<StepResult, double?> figure)
    {
        double? ours = Median(results.Where(r => r.Client == client && r.Ok), figure);
        double? theirs = Median(results.Where(r => r.Client == peer && r.Ok), figure);
        return ours is double o && theirs is double t && t > 0 ? (o / t).ToString("F2", CultureInfo.InvariantCulture) : "n/a";
    }

    private static double? Median(IEnumerable<StepResult> results, Func<StepResult, double?> figure)
    {
        double[] values = results.Select(figure).OfType<double>().Order().ToArray();
        if (values.Length == 0) return null;
        int middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static string Number(double? value, string format) => value is double v ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
