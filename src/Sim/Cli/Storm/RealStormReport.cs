using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KafkaNative.Sim.Storm;

/// <summary>Writes real runs: the comparison table, and per run a JSON (summary, chaos, series) and a CSV of the series.</summary>
internal static class RealStormReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string SummaryTable(IReadOnlyList<RealStormSummary> summaries)
    {
        string[] headers =
        [
            "scenario", "client", "producers", "offered", "produce reqs", "amplification", "p50 ms", "p99 ms", "goodput/s",
            "acked", "failed", "lost", "duplicated", "out of order", "consumed",
        ];
        var rows = summaries.Select(s => new[]
        {
            s.Scenario, s.Config, s.Producers.ToString("N0", Invariant), s.Offered.ToString("N0", Invariant),
            s.ProduceRequests.ToString("N0", Invariant), s.Amplification.ToString("0.00", Invariant),
            s.P50Ms.ToString("0.0", Invariant), s.P99Ms.ToString("0.0", Invariant), s.GoodputPerSecond.ToString("N0", Invariant),
            s.Acknowledged.ToString("N0", Invariant), s.Failed.ToString("N0", Invariant), s.Lost.ToString("N0", Invariant),
            s.Duplicated.ToString("N0", Invariant), s.OutOfOrder.ToString("N0", Invariant), s.Consumed.ToString("N0", Invariant),
        }).ToList();
        return StormReport.Table(headers, rows);
    }

    public static void WriteJson(RealStormResult result, Stream stream)
    {
        var s = result.Summary;
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("scenario", s.Scenario);
        json.WriteString("client", s.Config);
        json.WriteNumber("producers", s.Producers);
        json.WriteNumber("seconds", s.Seconds);
        json.WriteStartObject("summary");
        json.WriteNumber("offered", s.Offered);
        json.WriteNumber("acknowledged", s.Acknowledged);
        json.WriteNumber("succeeded", s.Succeeded);
        json.WriteNumber("failed", s.Failed);
        json.WriteNumber("produceRequests", s.ProduceRequests);
        json.WriteNumber("metadataRequests", s.MetadataRequests);
        json.WriteNumber("amplification", Math.Round(s.Amplification, 4));
        json.WriteNumber("p50Ms", Math.Round(s.P50Ms, 3));
        json.WriteNumber("p99Ms", Math.Round(s.P99Ms, 3));
        json.WriteNumber("goodputPerSecond", Math.Round(s.GoodputPerSecond, 2));
        json.WriteNumber("lost", s.Lost);
        json.WriteNumber("duplicated", s.Duplicated);
        json.WriteNumber("outOfOrder", s.OutOfOrder);
        json.WriteNumber("consumed", s.Consumed);
        json.WriteEndObject();
        json.WriteStartArray("chaos");
        foreach (var (at, label) in result.Chaos)
        {
            json.WriteStartObject();
            json.WriteNumber("atSeconds", at);
            json.WriteString("label", label);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("series");
        foreach (var second in result.Series)
        {
            json.WriteStartObject();
            json.WriteNumber("second", second.Second);
            json.WriteNumber("offered", second.Offered);
            json.WriteNumber("succeeded", second.Succeeded);
            json.WriteNumber("failed", second.Failed);
            json.WriteNumber("produceRequests", second.ProduceRequests);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static void WriteCsv(RealStormResult result, TextWriter writer)
    {
        writer.WriteLine("second,offered,succeeded,failed,produce_requests");
        foreach (var s in result.Series)
            writer.WriteLine(string.Join(',', s.Second, s.Offered, s.Succeeded, s.Failed, s.ProduceRequests));
    }

    /// <summary>Writes <c>DIR/&lt;scenario&gt;/real-&lt;client&gt;.json|.csv</c> per run and <c>DIR/real-summary.txt</c>.</summary>
    public static IReadOnlyList<string> WriteAll(IReadOnlyList<RealStormResult> results, string directory)
    {
        var written = new List<string>();
        foreach (var result in results)
        {
            string folder = Path.Combine(directory, result.Summary.Scenario);
            Directory.CreateDirectory(folder);
            string stem = Path.Combine(folder, $"real-{result.Summary.Config}");
            using (var stream = File.Create(stem + ".json"))
                WriteJson(result, stream);
            using (var writer = new StreamWriter(stem + ".csv", false, new UTF8Encoding(false)))
                WriteCsv(result, writer);
            written.Add(stem + ".json");
            written.Add(stem + ".csv");
        }
        Directory.CreateDirectory(directory);
        string summary = Path.Combine(directory, "real-summary.txt");
        File.WriteAllText(summary, SummaryTable(results.Select(r => r.Summary).ToList()));
        written.Add(summary);
        return written;
    }
}
