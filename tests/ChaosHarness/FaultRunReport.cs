namespace KafkaNative.Chaos;

/// <summary>What a producer workload went through under a fault schedule (the log's verdict is <see cref="LogAudit"/>).</summary>
/// <param name="Fault">The fault's name.</param>
/// <param name="Client">The producing client.</param>
/// <param name="Cycles">Injections made.</param>
/// <param name="LongestAckGap">The longest time between successive acknowledgements.</param>
/// <param name="Acknowledged">Records the producer said were acknowledged.</param>
/// <param name="Failed">Records the producer said failed.</param>
/// <param name="FirstFailure">Why the first failed record failed, or null.</param>
/// <param name="SmallestBacklogAtInjection">The fewest records handed over and not yet settled when a fault struck.</param>
/// <param name="VictimConnectionsPerSecond">Connection attempts at the faulted broker per second of fault, or NaN when they could not be counted.</param>
public sealed record FaultRunReport(
    string Fault,
    string Client,
    int Cycles,
    TimeSpan LongestAckGap,
    long Acknowledged,
    long Failed,
    string? FirstFailure,
    long SmallestBacklogAtInjection,
    double VictimConnectionsPerSecond);
