namespace KafkaNative.Chaos;

/// <summary>Every broker closes every client connection at once (and keeps accepting new ones).</summary>
public sealed class DropConnectionsFault : Fault
{
    /// <inheritdoc />
    public override string Name => "drop-connections";

    /// <inheritdoc />
    public override TimeSpan Hold => TimeSpan.FromMilliseconds(500);

    /// <inheritdoc />
    public override Task InjectAsync(FaultTarget target)
    {
        Victim = target.LeaderOfFirstPartition();
        foreach (int broker in target.Cluster.BrokerIds) target.Cluster.DropConnections(broker);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task HealAsync(FaultTarget target) => Task.CompletedTask;
}
