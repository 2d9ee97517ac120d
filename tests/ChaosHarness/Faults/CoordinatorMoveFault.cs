namespace KafkaNative.Chaos;

/// <summary>The consumer group's coordinator moves from its broker (the victim) to the next; members must find the new one.</summary>
public sealed class CoordinatorMoveFault : Fault
{
    /// <inheritdoc />
    public override string Name => "coordinator-move";

    /// <inheritdoc />
    public override TimeSpan Hold => TimeSpan.FromMilliseconds(500);

    /// <inheritdoc />
    public override bool AffectsProducers => false;

    /// <inheritdoc />
    public override Task InjectAsync(FaultTarget target)
    {
        string group = target.GroupId ?? throw new InvalidOperationException("A coordinator move needs a consumer group.");
        Victim = target.Cluster.CoordinatorOf(group);
        return target.Cluster.MoveGroupCoordinatorAsync(group, (Victim + 1) % target.Cluster.BrokerIds.Count);
    }

    /// <inheritdoc />
    public override Task HealAsync(FaultTarget target) => Task.CompletedTask;
}
