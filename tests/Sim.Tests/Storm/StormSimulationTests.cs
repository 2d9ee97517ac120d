using KafkaNative.Sim.Storm;

namespace KafkaNative.Sim.Tests.Storm;

public sealed class StormSimulationTests
{
    [Fact]
    public void SameSeedGivesIdenticalSummaryAndSeries()
    {
        var first = StormTestScenarios.Run("chaos-monkey");
        var second = StormTestScenarios.Run("chaos-monkey");

        Assert.Equal(first.Summary, second.Summary);
        Assert.Equal(first.Series, second.Series);
        Assert.Equal(first.Faults, second.Faults);
    }

    [Fact]
    public void DifferentSeedGivesADifferentRun()
    {
        var scenario = StormTestScenarios.Quick("chaos-monkey");
        var first = new StormSimulation(scenario).Run();
        var second = new StormSimulation(scenario with { Seed = scenario.Seed + 1 }).Run();

        Assert.NotEqual(first.Summary, second.Summary);
    }

    [Fact]
    public void RetryStormAmplifiesMoreThanBudgetedRetries()
    {
        var storm = StormTestScenarios.Run("retry-storm").Summary;
        var budgeted = StormTestScenarios.Run("budgeted-retries").Summary;

        Assert.True(storm.Amplification > 2 * budgeted.Amplification,
            $"storm amplification {storm.Amplification:0.00} vs budgeted {budgeted.Amplification:0.00}");
        Assert.True(storm.Duplicated > budgeted.Duplicated, $"duplicates {storm.Duplicated} vs {budgeted.Duplicated}");
        Assert.True(storm.GoodputPercent < budgeted.GoodputPercent);
    }

    [Fact]
    public void FailoverLosesLessThanRetryingAgainstTheFailedBroker()
    {
        var failover = StormTestScenarios.Run("failover").Summary;
        var stuck = StormTestScenarios.Run("no-failover").Summary;

        Assert.True(failover.Lost * 2 < stuck.Lost, $"lost with failover {failover.Lost}, without {stuck.Lost}");
        Assert.True(failover.SentToDeadBrokers < stuck.SentToDeadBrokers);
    }

    [Fact]
    public void CircuitBreakerReducesRequestsToTheDeadBroker()
    {
        var withBreaker = StormTestScenarios.Run("circuit-breaker").Summary;
        var without = StormTestScenarios.Run("no-circuit-breaker").Summary;

        Assert.True(withBreaker.BreakerTrips > 0);
        Assert.Equal(0, without.BreakerTrips);
        Assert.True(withBreaker.SentToDeadBrokers * 2 < without.SentToDeadBrokers,
            $"to dead broker with breaker {withBreaker.SentToDeadBrokers}, without {without.SentToDeadBrokers}");
    }

    [Fact]
    public void ChaosGorillaTakesOutAWholeZoneAndLeadersMoveToOtherZones()
    {
        var result = StormTestScenarios.Run("chaos-gorilla", clients: 900);

        var dead = result.Brokers.Where(broker => !broker.Alive).ToList();
        Assert.Equal(3, dead.Count);
        Assert.Single(dead.Select(broker => broker.Spec.Zone).Distinct());
        Assert.All(dead, broker => Assert.Equal(0, broker.Leaderships));
        Assert.Equal(result.Scenario.Topology.PartitionCount, result.Brokers.Sum(broker => broker.Leaderships));
        Assert.Contains(result.Faults, fault => fault.Label.StartsWith("kill-zone", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutChaosEveryOperationSucceedsOnceAndNothingIsLost()
    {
        var scenario = StormTestScenarios.Quick("failover", seconds: 20) with { Faults = [] };
        var summary = new StormSimulation(scenario).Run().Summary;

        Assert.Equal(0, summary.Lost);
        Assert.Equal(0, summary.Duplicated);
        Assert.Equal(0, summary.Unfinished);
        Assert.Equal(summary.OperationsNeeded, summary.RequestsSent);
        Assert.Equal(100.0, summary.GoodputPercent);
    }

    [Fact]
    public void SeriesHasOneSamplePerVirtualSecondWithInFlightRequests()
    {
        var result = StormTestScenarios.Run("retry-storm");

        Assert.True(result.Series.Count >= 60);
        Assert.Equal(Enumerable.Range(1, result.Series.Count), result.Series.Select(sample => sample.Second));
        Assert.Equal(result.Summary.RequestsSent, result.Series.Sum(sample => sample.Offered));
        Assert.Contains(result.Series, sample => sample.InFlight > 1_000);
    }
}
