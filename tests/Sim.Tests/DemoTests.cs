namespace KafkaNative.Sim.Tests;

/// <summary>The README's main command must keep working: the demo loses nothing through its broker failure.</summary>
public class DemoTests
{
    [Fact]
    public async Task TheDemoDeliversEveryRecordThroughABrokerFailure()
    {
        var output = new StringWriter();
        int exit = await Demo.RunAsync(20_000, output, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));

        string text = output.ToString();
        Assert.True(exit == 0, text);
        Assert.Contains("stopped after", text);
        Assert.Contains("restarted after", text);
        Assert.Contains("result     OK: 0 failed, 0 lost, 0 duplicated in the log", text);
    }
}
