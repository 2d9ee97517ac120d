namespace KafkaNative.Sim.Storm;

/// <summary>
/// The headline numbers of one run. Everything here depends only on the scenario and seed (no wall-clock
/// time), so equal seeds give equal summaries.
/// </summary>
internal sealed record StormSummary(
    string Scenario,
    string Policy,
    int Clients,
    long OperationsNeeded,
    long RequestsSent,
    double Amplification,
    double P50Ms,
    double P99Ms,
    double P999Ms,
    double GoodputPerSecond,
    double GoodputPercent,
    long Lost,
    long Duplicated,
    long DuplicateCopies,
    long Timeouts,
    long Retries,
    long SentToDeadBrokers,
    long BreakerTrips,
    long BreakerRejections,
    long MetadataRefreshes,
    long Unfinished,
    long Events);

/// <summary>A broker at the end of a run.</summary>
internal sealed record BrokerOutcome(TopologyBroker Spec, bool Alive, bool Degraded, int Leaderships, long Received, long Served, long Rejected, long Shed, long ReceivedWhileDead);

/// <summary>Client actors of one kind in one zone, drawn as one aggregated node.</summary>
internal sealed record ClientGroup(string Zone, string Region, string Kind, int Count);

/// <summary>Requests sent from one client group (zone and kind) to a broker over the whole run.</summary>
internal sealed record TrafficFlow(string Zone, string Kind, int BrokerId, long Requests);

/// <summary>A chaos event as it was applied.</summary>
internal sealed record AppliedFault(double AtSeconds, string Label);

/// <summary>
/// Everything a run produced: summary, time series and the state of the topology. Modelled and real runs
/// (<c>storm --real</c>) both end in this shape, so they are written and drawn by the same code.
/// </summary>
/// <param name="Scenario">The scenario as run (a real run's shows its producers and duration).</param>
/// <param name="Summary">The headline numbers.</param>
/// <param name="Series">One sample per second.</param>
/// <param name="Brokers">The brokers at the end.</param>
/// <param name="ClientGroups">The clients, grouped by zone and kind.</param>
/// <param name="Traffic">Requests per client group and broker.</param>
/// <param name="Faults">The chaos as applied.</param>
/// <param name="WallTime">How long the run took on the wall clock.</param>
/// <param name="Run">Which run of the scenario this is when there are several (<c>real-budgeted</c>, <c>model-budgeted</c>); null for the scenario's own modelled run.</param>
/// <param name="OnWallClock">Whether the run's seconds were wall-clock seconds rather than virtual ones.</param>
internal sealed record StormResult(
    Scenario Scenario,
    StormSummary Summary,
    IReadOnlyList<SecondSample> Series,
    IReadOnlyList<BrokerOutcome> Brokers,
    IReadOnlyList<ClientGroup> ClientGroups,
    IReadOnlyList<TrafficFlow> Traffic,
    IReadOnlyList<AppliedFault> Faults,
    TimeSpan WallTime,
    string? Run = null,
    bool OnWallClock = false)
{
    /// <summary>The scenario's name, followed by the run's when there is one.</summary>
    public string Title => Run is null ? Scenario.Name : $"{Scenario.Name} ({Run})";

    /// <summary>Where the run's files go under the output directory: <c>scenario</c> or <c>scenario/run</c>.</summary>
    public string Folder => Run is null ? Scenario.Name : Path.Combine(Scenario.Name, Run);
}
