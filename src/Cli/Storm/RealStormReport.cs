using System.Globalization;
using System.Text.Json;

namespace KafkaNative.Sim.Storm;

/// <summary>The table only real runs have: acknowledgements, the audit of the stored log, the read-back, and what the run cost.</summary>
internal static class RealStormReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static string SummaryTable(IReadOnlyList<RealStormSummary> summaries)
    {
        string[] headers =
        [
            "scenario", "client", "producers", "offered", "produce reqs", "client reqs", "amplification", "p50 ms", "p99 ms", "goodput/s",
            "acked", "failed", "lost", "duplicated", "out of order", "consumed", "timers", "wall s",
        ];
        var rows = summaries.Select(s => new[]
        {
            s.Scenario, s.Config, s.Producers.ToString("N0", Invariant), s.Offered.ToString("N0", Invariant),
            s.ProduceRequests.ToString("N0", Invariant), s.ClientProduceRequests.ToString("N0", Invariant), s.Amplification.ToString("0.00", Invariant),
            s.P50Ms.ToString("0.0", Invariant), s.P99Ms.ToString("0.0", Invariant), s.GoodputPerSecond.ToString("N0", Invariant),
            s.Acknowledged.ToString("N0", Invariant), s.Failed.ToString("N0", Invariant), s.Lost.ToString("N0", Invariant),
            s.Duplicated.ToString("N0", Invariant), s.OutOfOrder.ToString("N0", Invariant), s.Consumed.ToString("N0", Invariant),
            s.TimersFired.ToString("N0", Invariant), s.WallTime.TotalSeconds.ToString("0.0", Invariant),
        }).ToList();
        return StormReport.Table(headers, rows);
    }

    /// <summary>
    /// Writes the table to <c>DIR/real-summary.txt</c> and each run's numbers to <c>DIR/scenario/real-config/real.json</c>,
    /// without its wall time, so two runs of one seed can be compared byte for byte. Returns the paths.
    /// </summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<RealStormSummary> summaries, string directory)
    {
        var written = new List<string>();
        foreach (var summary in summaries)
        {
            string folder = Path.Combine(directory, summary.Scenario, $"real-{summary.Config}");
            Directory.CreateDirectory(folder);
            string json = Path.Combine(folder, "real.json");
            File.WriteAllText(json, JsonSerializer.Serialize(summary with { WallTime = TimeSpan.Zero }, JsonOptions));
            written.Add(json);
        }
        Directory.CreateDirectory(directory);
        string table = Path.Combine(directory, "real-summary.txt");
        File.WriteAllText(table, SummaryTable(summaries));
        written.Add(table);
        return written;
    }
}
