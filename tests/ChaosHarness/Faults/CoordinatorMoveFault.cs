#if SIM_KILL_AND_COORDINATOR_MOVE
namespace KafkaNative.Chaos;

/// <summary>The consumer group's coordinator moves to the next broker; members must find the new one.</summary>
public sealed class CoordinatorMoveFault : Fault
{
    private int _moves;

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
        // Round the brokers, so that consecutive cycles always move the coordinator somewhere else.
        Victim = target.Cluster.BrokerIds[++_moves % target.Cluster.BrokerIds.Count];
        return target.Cluster.MoveGroupCoordinatorAsync(group, Victim);
    }

    /// <inheritdoc />
    public override Task HealAsync(FaultTarget target) => Task.CompletedTask;
}
#endif
