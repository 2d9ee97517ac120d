using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using KafkaNative.Sim.Storm;

namespace KafkaNative.Sim.Tests.Storm;

public sealed class StormOutputTests
{
    private static readonly Lazy<StormResult> Gorilla = new(() => StormTestScenarios.Run("chaos-gorilla", clients: 600, seconds: 40));

    [Fact]
    public void GraphMlParsesBackWithEveryBrokerAndClientGroupAndValidEdges()
    {
        var result = Gorilla.Value;
        using var buffer = new MemoryStream();
        GraphExport.WriteGraphMl(result, buffer);
        buffer.Position = 0;

        var document = XDocument.Load(buffer);
        XNamespace ns = "http://graphml.graphdrawing.org/xmlns";
        Assert.Equal(ns + "graphml", document.Root!.Name);
        var graph = Assert.Single(document.Root.Elements(ns + "graph"));
        Assert.Equal("directed", graph.Attribute("edgedefault")!.Value);
        var nodeIds = graph.Elements(ns + "node").Select(node => node.Attribute("id")!.Value).ToHashSet();
        Assert.Equal(result.Brokers.Count + result.ClientGroups.Count, nodeIds.Count);
        var edges = graph.Elements(ns + "edge").ToList();
        Assert.NotEmpty(edges);
        Assert.All(edges, edge =>
        {
            Assert.Contains(edge.Attribute("source")!.Value, nodeIds);
            Assert.Contains(edge.Attribute("target")!.Value, nodeIds);
        });
        var keys = document.Root.Elements(ns + "key").Select(key => key.Attribute("id")!.Value).ToHashSet();
        Assert.All(document.Descendants(ns + "data"), data => Assert.Contains(data.Attribute("key")!.Value, keys));
        Assert.Equal(3, graph.Elements(ns + "node").Count(node => node.Elements(ns + "data").Any(d => d.Value == "dead")));
    }

    [Fact]
    public void GraphJsonParsesBackInSpigoShape()
    {
        var result = Gorilla.Value;
        using var buffer = new MemoryStream();
        GraphExport.WriteGraphJson(result, buffer);

        using var document = JsonDocument.Parse(buffer.ToArray());
        var root = document.RootElement;
        Assert.Equal("two-regions", root.GetProperty("arch").GetString());
        Assert.Equal("spigo-0.4", root.GetProperty("version").GetString());
        var elements = root.GetProperty("graph").EnumerateArray().ToList();
        var nodes = elements.Where(e => e.TryGetProperty("node", out _)).Select(e => e.GetProperty("node").GetString()).ToHashSet();
        var edges = elements.Where(e => e.TryGetProperty("edge", out _)).ToList();
        Assert.Equal(result.Brokers.Count + result.ClientGroups.Count, nodes.Count);
        Assert.Contains("us-east-1.us-east-1a.kafka-broker.broker1", nodes);
        Assert.NotEmpty(edges);
        Assert.All(edges, edge =>
        {
            Assert.Contains(edge.GetProperty("source").GetString(), nodes);
            Assert.Contains(edge.GetProperty("target").GetString(), nodes);
        });
    }

    [Fact]
    public void MetricsJsonAndCsvHaveOneRowPerSecond()
    {
        var result = Gorilla.Value;
        using var buffer = new MemoryStream();
        StormReport.WriteMetricsJson(result, buffer);
        using var document = JsonDocument.Parse(buffer.ToArray());
        Assert.Equal(result.Series.Count, document.RootElement.GetProperty("series").GetArrayLength());
        Assert.Equal(result.Summary.RequestsSent, document.RootElement.GetProperty("summary").GetProperty("requestsSent").GetInt64());

        var csv = new StringWriter();
        StormReport.WriteMetricsCsv(result, csv);
        var lines = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(result.Series.Count + 1, lines.Length);
        Assert.StartsWith("second,offered,needed,completed,failed,in_flight,timeouts,retries", lines[0]);
        Assert.All(lines, line => Assert.Equal(13, line.Split(',').Length));
    }

    [Fact]
    public void HtmlReportIsSelfContained()
    {
        var result = Gorilla.Value;
        string html = HtmlReport.Render(result, [result.Summary]);

        Assert.DoesNotMatch(new Regex(@"<(script|img|iframe)[^>]*\bsrc\s*=", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex(@"<link\b", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex(@"@import|url\(", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", ""));
        Assert.DoesNotContain("https://", html);
        // The embedded data cannot end its script element early: exactly the two scripts close.
        Assert.Equal(2, Regex.Matches(html, "</script>").Count);
        foreach (string id in new[] { "topology", "chart-inflight", "chart-amplification", "chart-goodput", "chart-latency", "chart-errors", "summary", "storm-data" })
            Assert.Contains($"id=\"{id}\"", html);
        Assert.Contains("chaos-gorilla", html);
    }

    [Fact]
    public void HtmlReportEscapesScenarioText()
    {
        var scenario = StormTestScenarios.Quick("failover", seconds: 5) with
        {
            Name = "x<script>alert(1)</script>",
            Description = "</script><b>bold</b>",
        };
        var result = new StormSimulation(scenario).Run();
        string html = HtmlReport.Render(result, [result.Summary]);

        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<b>bold", html);
        Assert.Equal(2, Regex.Matches(html, "</script>").Count);
    }
}
