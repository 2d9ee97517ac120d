using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KafkaNative.Sim.Storm;

/// <summary>Writes a run's metrics (JSON and CSV) and the comparison table of several runs.</summary>
internal static class StormReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly string[] SeriesColumns =
    [
        "second", "offered", "needed", "completed", "failed", "in_flight", "timeouts", "retries", "dead_broker_requests",
        "amplification", "p50_ms", "p99_ms", "p999_ms",
    ];

    public static string SummaryTable(IReadOnlyList<StormSummary> summaries)
    {
        string[] headers = ["scenario", "policy", "clients", "needed", "sent", "amplification", "p50 ms", "p99 ms", "p99.9 ms", "goodput/s", "goodput %", "lost", "duplicated", "to dead broker"];
        var rows = summaries.Select(s => new[]
        {
            s.Scenario, s.Policy, s.Clients.ToString("N0", Invariant), s.OperationsNeeded.ToString("N0", Invariant),
            s.RequestsSent.ToString("N0", Invariant), s.Amplification.ToString("0.00", Invariant),
            s.P50Ms.ToString("0.0", Invariant), s.P99Ms.ToString("0.0", Invariant), s.P999Ms.ToString("0.0", Invariant),
            s.GoodputPerSecond.ToString("N0", Invariant), s.GoodputPercent.ToString("0.0", Invariant),
            s.Lost.ToString("N0", Invariant), s.Duplicated.ToString("N0", Invariant), s.SentToDeadBrokers.ToString("N0", Invariant),
        }).ToList();
        return Table(headers, rows);
    }

    /// <summary>Aligned columns under a dashed rule: the first two (names) left-aligned, numbers right-aligned.</summary>
    public static string Table(string[] headers, IReadOnlyList<string[]> rows)
    {
        var widths = headers.Select((header, column) => Math.Max(header.Length, rows.Select(row => row[column].Length).DefaultIfEmpty(0).Max())).ToArray();
        var text = new StringBuilder();
        AppendRow(text, headers, widths);
        AppendRow(text, widths.Select(width => new string('-', width)).ToArray(), widths);
        foreach (var row in rows)
            AppendRow(text, row, widths);
        return text.ToString();
    }

    public static void WriteMetricsJson(StormResult result, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("scenario", result.Scenario.Name);
        json.WriteString("description", result.Scenario.Description);
        json.WriteString("topology", result.Scenario.Topology.Name);
        json.WriteNumber("seed", result.Scenario.Seed);
        json.WriteNumber("durationSeconds", result.Scenario.DurationSeconds);
        json.WritePropertyName("summary");
        WriteSummary(json, result.Summary);
        json.WriteStartArray("faults");
        foreach (var fault in result.Faults)
        {
            json.WriteStartObject();
            json.WriteNumber("atSeconds", fault.AtSeconds);
            json.WriteString("label", fault.Label);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("series");
        foreach (var sample in result.Series)
            WriteSample(json, sample);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static void WriteMetricsCsv(StormResult result, TextWriter writer)
    {
        writer.WriteLine(string.Join(',', SeriesColumns));
        foreach (var s in result.Series)
        {
            writer.WriteLine(string.Join(',',
                s.Second.ToString(Invariant), s.Offered.ToString(Invariant), s.Needed.ToString(Invariant),
                s.Completed.ToString(Invariant), s.Failed.ToString(Invariant), s.InFlight.ToString(Invariant),
                s.Timeouts.ToString(Invariant), s.Retries.ToString(Invariant), s.DeadBrokerRequests.ToString(Invariant),
                s.Amplification.ToString("0.###", Invariant), s.P50Ms.ToString("0.###", Invariant),
                s.P99Ms.ToString("0.###", Invariant), s.P999Ms.ToString("0.###", Invariant)));
        }
    }

    public static void WriteSummary(Utf8JsonWriter json, StormSummary s)
    {
        json.WriteStartObject();
        json.WriteString("scenario", s.Scenario);
        json.WriteString("policy", s.Policy);
        json.WriteNumber("clients", s.Clients);
        json.WriteNumber("operationsNeeded", s.OperationsNeeded);
        json.WriteNumber("requestsSent", s.RequestsSent);
        json.WriteNumber("amplification", Math.Round(s.Amplification, 4));
        json.WriteNumber("p50Ms", s.P50Ms);
        json.WriteNumber("p99Ms", s.P99Ms);
        json.WriteNumber("p999Ms", s.P999Ms);
        json.WriteNumber("goodputPerSecond", Math.Round(s.GoodputPerSecond, 2));
        json.WriteNumber("goodputPercent", Math.Round(s.GoodputPercent, 3));
        json.WriteNumber("lost", s.Lost);
        json.WriteNumber("duplicated", s.Duplicated);
        json.WriteNumber("duplicateCopies", s.DuplicateCopies);
        json.WriteNumber("timeouts", s.Timeouts);
        json.WriteNumber("retries", s.Retries);
        json.WriteNumber("sentToDeadBrokers", s.SentToDeadBrokers);
        json.WriteNumber("breakerTrips", s.BreakerTrips);
        json.WriteNumber("breakerRejections", s.BreakerRejections);
        json.WriteNumber("metadataRefreshes", s.MetadataRefreshes);
        json.WriteNumber("unfinished", s.Unfinished);
        json.WriteNumber("events", s.Events);
        json.WriteEndObject();
    }

    public static void WriteSample(Utf8JsonWriter json, SecondSample s)
    {
        json.WriteStartObject();
        json.WriteNumber("second", s.Second);
        json.WriteNumber("offered", s.Offered);
        json.WriteNumber("needed", s.Needed);
        json.WriteNumber("completed", s.Completed);
        json.WriteNumber("failed", s.Failed);
        json.WriteNumber("inFlight", s.InFlight);
        json.WriteNumber("timeouts", s.Timeouts);
        json.WriteNumber("retries", s.Retries);
        json.WriteNumber("deadBrokerRequests", s.DeadBrokerRequests);
        json.WriteNumber("amplification", Math.Round(s.Amplification, 4));
        json.WriteNumber("p50Ms", s.P50Ms);
        json.WriteNumber("p99Ms", s.P99Ms);
        json.WriteNumber("p999Ms", s.P999Ms);
        json.WriteEndObject();
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        for (int column = 0; column < cells.Length; column++)
        {
            if (column > 0)
                text.Append("  ");
            // Names left-aligned, numbers right-aligned.
            text.Append(column < 2 ? cells[column].PadRight(widths[column]) : cells[column].PadLeft(widths[column]));
        }
        text.AppendLine();
    }
}
