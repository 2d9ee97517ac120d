using System.Text;

namespace KafkaNative.Sim.Storm;

/// <summary>Lays out a set of runs on disk: one folder per scenario plus the comparison across them.</summary>
internal static class StormOutput
{
    public static IReadOnlyList<string> WriteAll(IReadOnlyList<StormResult> results, string directory)
    {
        var written = new List<string>();
        Directory.CreateDirectory(directory);
        var summaries = results.Select(result => result.Summary).ToList();
        foreach (var result in results)
        {
            string folder = Path.Combine(directory, result.Folder);
            Directory.CreateDirectory(folder);
            written.Add(WriteStream(Path.Combine(folder, "topology.graphjson"), stream => GraphExport.WriteGraphJson(result, stream)));
            written.Add(WriteStream(Path.Combine(folder, "topology.graphml"), stream => GraphExport.WriteGraphMl(result, stream)));
            written.Add(WriteStream(Path.Combine(folder, "metrics.json"), stream => StormReport.WriteMetricsJson(result, stream)));
            written.Add(WriteText(Path.Combine(folder, "metrics.csv"), writer => StormReport.WriteMetricsCsv(result, writer)));
            written.Add(WriteText(Path.Combine(folder, "report.html"), writer => writer.Write(HtmlReport.Render(result, summaries))));
        }
        written.Add(WriteText(Path.Combine(directory, "summary.txt"), writer => writer.Write(StormReport.SummaryTable(summaries))));
        return written;
    }

    private static string WriteStream(string path, Action<Stream> write)
    {
        using (var stream = File.Create(path))
            write(stream);
        return path;
    }

    private static string WriteText(string path, Action<TextWriter> write)
    {
        using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
            write(writer);
        return path;
    }
}
