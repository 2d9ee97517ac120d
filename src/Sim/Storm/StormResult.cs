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
internal sealed record BrokerOutcome(BrokerSpec Spec, bool Alive, bool Degraded, int Leaderships, long Received, long Served, long Rejected, long Shed, long ReceivedWhileDead);

/// <summary>Client actors of one kind in one zone, drawn as one aggregated node.</summary>
internal sealed record ClientGroup(string Zone, string Region, string Kind, int Count);

/// <summary>Requests sent from one client group (zone and kind) to a broker over the whole run.</summary>
internal sealed record TrafficFlow(string Zone, string Kind, int BrokerId, long Requests);

/// <summary>A chaos event as it was applied.</summary>
internal sealed record AppliedFault(double AtSeconds, string Label);

/// <summary>Everything a run produced: summary, time series and the state of the topology.</summary>
internal sealed record StormResult(
    Scenario Scenario,
    StormSummary Summary,
    IReadOnlyList<SecondSample> Series,
    IReadOnlyList<BrokerOutcome> Brokers,
    IReadOnlyList<ClientGroup> ClientGroups,
    IReadOnlyList<TrafficFlow> Traffic,
    IReadOnlyList<AppliedFault> Faults,
    TimeSpan WallTime);
