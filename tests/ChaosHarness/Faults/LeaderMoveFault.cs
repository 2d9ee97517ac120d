namespace KafkaNative.Chaos;

/// <summary>Every partition's leadership moves to the next broker at once; nothing to heal.</summary>
public sealed class LeaderMoveFault : Fault
{
    /// <inheritdoc />
    public override string Name => "leader-move";

    /// <inheritdoc />
    public override TimeSpan Hold => TimeSpan.FromMilliseconds(500);

    /// <inheritdoc />
    public override async Task InjectAsync(FaultTarget target)
    {
        Victim = target.LeaderOfFirstPartition();
        int brokers = target.Cluster.BrokerIds.Count;
        for (int p = 0; p < target.Partitions; p++)
            await target.Cluster.MoveLeaderAsync(target.Topic, p, (target.Cluster.LeaderOf(target.Topic, p) + 1) % brokers);
    }

    /// <inheritdoc />
    public override Task HealAsync(FaultTarget target) => Task.CompletedTask;
}
