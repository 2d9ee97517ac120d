using System.Diagnostics;
using System.Text.RegularExpressions;
using KafkaNative.Sim.Storm;

namespace KafkaNative.Sim.Tests.Storm;

/// <summary>Renders the HTML report in headless Chromium (skipped where it is not installed).</summary>
public sealed class HeadlessChromiumTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"storm-chromium-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
    }

    [SkippableFact]
    public async Task ReportDrawsTopologyAndChartsAfterScriptsRun()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is not installed");
        var result = StormTestScenarios.Run("chaos-monkey", clients: 300, seconds: 40);
        StormOutput.WriteAll([result], directory);
        string report = Path.Combine(directory, "chaos-monkey", "report.html");

        string dom = await RunChromiumAsync("--dump-dom", new Uri(report).AbsoluteUri);

        Assert.Contains("data-rendered=\"true\"", dom);
        string topology = SvgContent(dom, "topology");
        Assert.Equal(3, Regex.Matches(topology, "<circle").Count);
        Assert.True(Regex.Matches(topology, "<line").Count > 0, "no traffic lines in the topology");
        Assert.Contains("producers", topology);
        foreach (string chart in new[] { "chart-inflight", "chart-amplification", "chart-goodput", "chart-latency", "chart-errors" })
        {
            string svg = SvgContent(dom, chart);
            Assert.True(Regex.Matches(svg, "<polyline").Count > 0, $"{chart} has no series");
            Assert.Contains("class=\"fault\"", svg);
        }
    }

    [SkippableFact]
    public async Task RealRunReportDrawsTheSameTopologyAndChartsAsAModelledOne()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is not installed");
        var scenario = ScenarioCatalog.Find("chaos-monkey")! with { Faults = [new(30, FaultAction.KillBroker, BrokerId: 1), new(90, FaultAction.RestoreBroker)] };
        var settings = new RealRunSettings(Producers: 2, Seconds: 4, RecordsPerSecond: 50);
        var chaos = RealChaos.Plan(scenario, settings.Seconds);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var real = await RealStormCommand.PlayAsync(scenario, RealClientConfig.Budgeted, settings, chaos, wallClock: true, timeout.Token);
        StormOutput.WriteAll([real.Run, RealModelTwin.Run(scenario, settings, chaos, RealClientConfig.Budgeted.Calibrated)], directory);
        string report = Path.Combine(directory, "chaos-monkey", "real-budgeted", "report.html");

        string dom = await RunChromiumAsync("--dump-dom", new Uri(report).AbsoluteUri);

        Assert.Contains("data-rendered=\"true\"", dom);
        Assert.Contains("chaos-monkey (real-budgeted)", dom);
        Assert.Contains("<td>real budgeted</td>", dom);
        Assert.Contains("<td>calibrated-budgeted</td>", dom);
        string topology = SvgContent(dom, "topology");
        Assert.Equal(3, Regex.Matches(topology, "<circle").Count);
        Assert.True(Regex.Matches(topology, "<line").Count > 0, "no traffic lines in the topology");
        foreach (string chart in new[] { "chart-inflight", "chart-amplification", "chart-goodput", "chart-latency", "chart-errors" })
        {
            string svg = SvgContent(dom, chart);
            Assert.True(Regex.Matches(svg, "<polyline").Count > 0, $"{chart} has no series");
            Assert.Contains("class=\"fault\"", svg);
        }
    }

    [SkippableFact]
    public async Task ReportScreenshotIsWritten()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is not installed");
        var result = StormTestScenarios.Run("failover", clients: 300, seconds: 40);
        StormOutput.WriteAll([result], directory);
        string screenshot = Path.Combine(directory, "report.png");

        await RunChromiumAsync($"--screenshot={screenshot}", "--window-size=1400,1000", new Uri(Path.Combine(directory, "failover", "report.html")).AbsoluteUri);

        Assert.True(new FileInfo(screenshot).Length > 10_000, "screenshot is (nearly) empty");
    }

    private static string SvgContent(string dom, string id)
    {
        var match = Regex.Match(dom, $"<svg[^>]*id=\"{id}\"[^>]*>(.*?)</svg>", RegexOptions.Singleline);
        Assert.True(match.Success, $"no svg #{id} in the rendered page");
        return match.Groups[1].Value;
    }

    private async Task<string> RunChromiumAsync(params string[] args)
    {
        string profile = Path.Combine(directory, $"profile-{Guid.NewGuid():N}");
        Directory.CreateDirectory(profile);
        var start = new ProcessStartInfo(Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", $"--user-data-dir={profile}",
                 }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not finish within 60 s: {await stderr}");
        }
        Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}
