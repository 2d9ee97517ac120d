using KafkaNative.Sim.Storm;

namespace KafkaNative.Sim.Tests.Storm;

public sealed class StormCommandTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"storm-cmd-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task RunsAListOfScenariosPrintsOneRowEachAndWritesOutputs()
    {
        var output = new StringWriter();
        int exit = await StormCommand.RunAsync(
            ["--scenario", "retry-storm,failover", "--clients", "300", "--duration", "40", "--seed", "3", "--out", directory],
            output, CancellationToken.None);

        string text = output.ToString();
        Assert.Equal(0, exit);
        var tableRows = text.Split('\n').Where(line => line.StartsWith("retry-storm ", StringComparison.Ordinal) || line.StartsWith("failover ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, tableRows.Count);
        Assert.Contains("amplification", text);
        Assert.Contains("duplicated", text);
        foreach (string scenario in new[] { "retry-storm", "failover" })
        {
            foreach (string file in new[] { "topology.graphjson", "topology.graphml", "metrics.json", "metrics.csv", "report.html" })
                Assert.True(File.Exists(Path.Combine(directory, scenario, file)), $"{scenario}/{file} missing");
        }
        Assert.True(File.Exists(Path.Combine(directory, "summary.txt")));
    }

    [Fact]
    public async Task RunsAScenarioFile()
    {
        Directory.CreateDirectory(directory);
        string file = Path.Combine(directory, "mine.json");
        await File.WriteAllTextAsync(file, """{ "name": "from-file", "clients": 50, "durationSeconds": 5, "policy": "retry-storm" }""");
        var output = new StringWriter();

        int exit = await StormCommand.RunAsync(["--scenario", file, "--out", Path.Combine(directory, "out")], output, CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Contains("from-file", output.ToString());
    }

    [Theory]
    [InlineData(new string[0], "--scenario is required")]
    [InlineData(new[] { "--scenario", "hurricane" }, "unknown scenario 'hurricane'")]
    [InlineData(new[] { "--scenario", "retry-storm", "--clients", "-5" }, "--clients must be a whole number within 1..1,000,000, got '-5'")]
    [InlineData(new[] { "--scenario", "retry-storm", "--clients", "0" }, "--clients must be a whole number within 1..1,000,000, got '0'")]
    [InlineData(new[] { "--scenario", "retry-storm", "--clients", "lots" }, "--clients must be a whole number within 1..1,000,000, got 'lots'")]
    [InlineData(new[] { "--scenario", "retry-storm", "--seed", "1.5" }, "--seed must be a whole number")]
    [InlineData(new[] { "--scenario", "retry-storm", "--duration", "-1" }, "--duration must be seconds within (0, 86400], got '-1'")]
    [InlineData(new[] { "--scenario", "retry-storm", "--storm" }, "unknown option '--storm'")]
    [InlineData(new[] { "--scenario" }, "--scenario needs a value")]
    [InlineData(new[] { "--scenario", "chaos-monkey", "--seconds", "5" }, "--seconds needs --real")]
    [InlineData(new[] { "--scenario", "chaos-monkey", "--rate", "50" }, "--rate needs --real")]
    [InlineData(new[] { "--scenario", "chaos-monkey", "--real", "--duration", "5" }, "--duration is virtual time; with --real use --seconds")]
    [InlineData(new[] { "--scenario", "chaos-monkey", "--real", "--clients", "65" }, "--clients with --real must be within 1..64")]
    [InlineData(new[] { "--scenario", "chaos-monkey", "--real", "--seconds", "1" }, "--seconds must be seconds within [2, 3600], got '1'")]
    [InlineData(new[] { "--scenario", "chaos-monkey", "--real", "--rate", "0" }, "--rate must be records per second within [1, 100000], got '0'")]
    [InlineData(new[] { "--scenario", "chaos-monkey", "--wall-clock" }, "--wall-clock needs --real")]
    public async Task BadArgumentsExitWithTwoAndAMessage(string[] args, string expected)
    {
        var output = new StringWriter();

        int exit = await StormCommand.RunAsync(args, output, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains("error: " + expected, output.ToString());
        Assert.Contains("usage: storm", output.ToString());
    }

    [Fact]
    public async Task MalformedScenarioFileExitsWithTwo()
    {
        Directory.CreateDirectory(directory);
        string file = Path.Combine(directory, "broken.json");
        await File.WriteAllTextAsync(file, """{ "name": "broken", "clients": """);
        var output = new StringWriter();

        int exit = await StormCommand.RunAsync(["--scenario", file], output, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains("malformed scenario JSON", output.ToString());
        Assert.Contains("broken.json", output.ToString());
    }
}
