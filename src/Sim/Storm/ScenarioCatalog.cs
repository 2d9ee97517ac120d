namespace KafkaNative.Sim.Storm;

/// <summary>
/// The built-in scenarios. They come in pairs that differ in one policy switch under the same chaos, so
/// the summary table compares like with like; all start the chaos at 30 s of a 120 s run.
/// </summary>
internal static class ScenarioCatalog
{
    /// <summary>Load of the retry-storm pair: hot enough (about 60 % of capacity) that retries can keep a broker saturated.</summary>
    private const double HotProducesPerSecond = 7_000;

    private static readonly Fault[] SlowDiskOnBroker1 =
    [
        new(30, FaultAction.SlowBroker, BrokerId: 1, ExtraLatencyMs: 20),
        new(45, FaultAction.RestoreBroker, BrokerId: 1),
    ];

    private static readonly Fault[] Broker1Dies = [new(30, FaultAction.KillBroker, BrokerId: 1)];

    public static IReadOnlyList<Scenario> All { get; } =
    [
        new Scenario
        {
            Name = "retry-storm",
            Description = "The cluster runs at 60 % and broker 1's disk slows for 15 s. Every hop has a 2 s timeout and 2 immediate retries with no shared budget, and brokers serve requests whose caller has gone: the storm outlives its trigger.",
            ProducesPerSecond = HotProducesPerSecond,
            Policy = RetryPolicy.RetryStorm,
            Faults = SlowDiskOnBroker1,
        },
        new Scenario
        {
            Name = "budgeted-retries",
            Description = "The same load and slow disk. One 2 s delivery budget from the edge, one retry inside it with jittered backoff, deadline propagated so brokers drop expired requests.",
            ProducesPerSecond = HotProducesPerSecond,
            Policy = RetryPolicy.Budgeted,
            Faults = SlowDiskOnBroker1,
        },
        new Scenario
        {
            Name = "failover",
            Description = "Broker 1 dies; its leaderships move after 6 s. Clients refresh metadata after a failure and follow the new leader.",
            Policy = RetryPolicy.Budgeted,
            Faults = Broker1Dies,
        },
        new Scenario
        {
            Name = "no-failover",
            Description = "Broker 1 dies; its leaderships move after 6 s, but clients keep their metadata and retry against the failed broker.",
            Policy = RetryPolicy.Budgeted with { Name = "budgeted-no-failover", Failover = false },
            Faults = Broker1Dies,
        },
        new Scenario
        {
            Name = "circuit-breaker",
            Description = "Broker 1 dies and the controller takes 20 s to move its leaderships. A per-broker circuit breaker (5 failures, 5 s open, one half-open probe) stops clients sending to it.",
            Policy = RetryPolicy.Resilient,
            Broker = new BrokerModel { LeaderElectionDelayMs = 20_000 },
            Faults = Broker1Dies,
        },
        new Scenario
        {
            Name = "no-circuit-breaker",
            Description = "Broker 1 dies and the controller takes 20 s to move its leaderships; without a breaker, clients keep sending to it until then.",
            Policy = RetryPolicy.Budgeted,
            Broker = new BrokerModel { LeaderElectionDelayMs = 20_000 },
            Faults = Broker1Dies,
        },
        new Scenario
        {
            Name = "chaos-monkey",
            Description = "Chaos monkey kills a random broker at 30 s and it comes back at 90 s. Resilient clients: budget, backoff, failover and breaker.",
            Policy = RetryPolicy.Resilient,
            Faults = [new(30, FaultAction.KillBroker), new(90, FaultAction.RestoreBroker)],
        },
        new Scenario
        {
            Name = "chaos-gorilla",
            Description = "Chaos gorilla takes out a whole zone of the 9-broker, 2-region cluster at 30 s. Resilient clients.",
            Topology = Topology.TwoRegions,
            Clients = 6_000,
            ProducesPerSecond = 15_000,
            FetchesPerSecond = 3_000,
            Policy = RetryPolicy.Resilient,
            Faults = [new(30, FaultAction.KillZone)],
        },
        new Scenario
        {
            Name = "latency-monkey",
            Description = "Latency monkey delays a random broker's responses by 1.5 s from 30 s to 60 s, past the 1 s request timeout: writes land but look failed. Resilient clients.",
            Policy = RetryPolicy.Resilient,
            Faults = [new(30, FaultAction.DelayBroker, ExtraLatencyMs: 1_500), new(60, FaultAction.RestoreBroker)],
        },
    ];

    public static Scenario? Find(string name) =>
        All.FirstOrDefault(scenario => string.Equals(scenario.Name, name, StringComparison.OrdinalIgnoreCase));
}
