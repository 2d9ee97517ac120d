using KafkaNative.Sim.Storm;

namespace KafkaNative.Sim.Tests.Storm;

/// <summary>Real producers and a consumer group against the wire-level cluster while a broker is killed and restarted.</summary>
public sealed class RealStormTests
{
    private static readonly Scenario ChaosMonkey = ScenarioCatalog.Find("chaos-monkey")!;

    [Fact]
    public void ChaosIsScaledToTheWallClockAndMapsBrokerIdsToClusterIds()
    {
        var scenario = ChaosMonkey with { Faults = [new(30, FaultAction.KillBroker, BrokerId: 2), new(90, FaultAction.RestoreBroker)] };

        var plan = RealChaos.Plan(scenario, seconds: 12);

        Assert.Equal([(3.0, RealChaosKind.Kill, 1), (9.0, RealChaosKind.Start, 1)], plan.Select(step => (step.AtSeconds, step.Kind, step.Brokers.Single())));
    }

    [Fact]
    public void ZoneLossKillsEveryBrokerOfTheZone()
    {
        var scenario = ScenarioCatalog.Find("chaos-gorilla")! with { Faults = [new(30, FaultAction.KillZone, Zone: "us-west-2a")] };

        var step = Assert.Single(RealChaos.Plan(scenario, seconds: 10));

        Assert.Equal(RealChaosKind.Kill, step.Kind);
        Assert.Equal([6, 7, 8], step.Brokers);
    }

    [Fact]
    public async Task BudgetedClientLosesNothingDuplicatesNothingAndKeepsAmplificationBounded()
    {
        var scenario = ChaosMonkey with { Faults = [new(30, FaultAction.KillBroker, BrokerId: 1), new(90, FaultAction.RestoreBroker)] };
        var chaos = RealChaos.Plan(scenario, seconds: 4);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var budgeted = (await new RealStormRun(scenario, RealClientConfig.Budgeted, producers: 2, seconds: 4, recordsPerSecond: 100).RunAsync(chaos, timeout.Token)).Summary;
        var naive = (await new RealStormRun(scenario, RealClientConfig.Naive, producers: 2, seconds: 4, recordsPerSecond: 100).RunAsync(chaos, timeout.Token)).Summary;

        Assert.Equal(400, budgeted.Offered);
        Assert.Equal(400, naive.Offered);
        Assert.Equal(0, budgeted.Lost);
        Assert.Equal(0, naive.Lost);
        Assert.Equal(0, budgeted.Duplicated);
        Assert.True(budgeted.Acknowledged > 0, "the budgeted producers got nothing acknowledged");
        Assert.True(budgeted.ProduceRequests < 3.0 * budgeted.Acknowledged,
            $"budgeted: {budgeted.ProduceRequests} produce requests for {budgeted.Acknowledged} acknowledged records");
        // Not compared with the naive run's request count: the real producer folds retries into
        // batches, so the two stay within a few requests of each other either way (see Storm/README.md).
    }
}
