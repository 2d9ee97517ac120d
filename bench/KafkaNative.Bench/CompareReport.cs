using System.Globalization;

namespace KafkaNative.Bench;

/// <summary>The <c>compare</c> table: per client, the median of each figure over its successful rounds, then each build of ours over each peer.</summary>
internal static class CompareReport
{
    public static void Print(CompareSettings settings, IReadOnlyList<StepResult> results, TextWriter output)
    {
        output.WriteLine($"compare {settings.Workload}: {settings.Messages:N0} × {settings.Size} B, compression {settings.Compression}, " +
            $"{settings.Partitions} partitions RF 3, acks=all, {settings.Rounds} round(s), medians; {Environment.ProcessorCount} cores, load {LoadAverage()}");
        output.WriteLine();
        output.WriteLine("| client | ok runs | msgs/s (whole process) | CPU µs/msg (whole process) | peak RSS MiB | msgs/s (in loop) | CPU µs/msg (in loop) | broker µs/msg | msgs/request | alloc B/msg |");
        output.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (string client in settings.Clients)
        {
            StepResult[] ok = results.Where(r => r.Client == client && r.Ok).ToArray();
            int runs = results.Count(r => r.Client == client);
            output.WriteLine($"| {client} | {ok.Length}/{runs} | {Number(Median(ok, r => r.WholeMsgsPerSec), "N0")} | {Number(Median(ok, r => r.WholeCpuUsPerMsg), "F3")} | " +
                $"{Number(Median(ok, r => r.PeakRssMiB), "F1")} | {Number(Median(ok, r => r.InLoopMsgsPerSec), "N0")} | {Number(Median(ok, r => r.InLoopCpuUsPerMsg), "F3")} | " +
                $"{Number(Median(ok, r => r.BrokerUsPerMsg), "F3")} | {Number(Median(ok, r => r.MsgsPerRequest), "N0")} | {Number(Median(ok, r => r.AllocBytesPerMsg), "F1")} |");
        }
        output.WriteLine();
        foreach (string ours in settings.Clients.Where(c => c.StartsWith(CompareSettings.Ours, StringComparison.Ordinal)))
        foreach (string peer in settings.Clients.Where(c => !c.StartsWith(CompareSettings.Ours, StringComparison.Ordinal)))
        {
            output.WriteLine($"- {ours}/{peer}: msgs/s whole process {Ratio(results, ours, peer, r => r.WholeMsgsPerSec)}, in loop {Ratio(results, ours, peer, r => r.InLoopMsgsPerSec)}; " +
                $"CPU µs/msg whole process {Ratio(results, ours, peer, r => r.WholeCpuUsPerMsg)}, in loop {Ratio(results, ours, peer, r => r.InLoopCpuUsPerMsg)}");
        }
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
