namespace KafkaNative.Chaos;

/// <summary>A controlled stop of the busiest broker (leadership moves first) and a start on the same port.</summary>
/// <param name="hold">How long the broker stays down; 1.5 s unless given.</param>
public sealed class StopStartFault(TimeSpan? hold = null) : Fault
{
    /// <inheritdoc />
    public override string Name => "stop-start";

    /// <inheritdoc />
    public override TimeSpan Hold => hold ?? base.Hold;

    /// <inheritdoc />
    public override bool TakesVictimDown => true;

    /// <inheritdoc />
    public override Task InjectAsync(FaultTarget target)
    {
        Victim = target.LeaderOfFirstPartition();
        return target.Cluster.StopBrokerAsync(Victim);
    }

    /// <inheritdoc />
    public override Task HealAsync(FaultTarget target) => target.Cluster.StartBrokerAsync(Victim);
}
