namespace KafkaNative.Chaos;

/// <summary>
/// A crash of the busiest broker: its connections reset at once, and its partitions stay leaderless
/// until the cluster notices, after the broker session timeout. Held past that, then restarted.
/// </summary>
public sealed class KillRestartFault : Fault
{
    /// <inheritdoc />
    public override string Name => "kill-restart";

    /// <inheritdoc />
    public override TimeSpan Hold => ChaosCluster.BrokerSessionTimeout + TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public override bool TakesVictimDown => true;

    /// <inheritdoc />
    public override Task InjectAsync(FaultTarget target)
    {
        Victim = target.LeaderOfFirstPartition();
        return target.Cluster.KillBrokerAsync(Victim);
    }

    /// <inheritdoc />
    public override Task HealAsync(FaultTarget target) => target.Cluster.StartBrokerAsync(Victim);
}
