namespace KafkaNative.Chaos;

/// <summary>
/// A crash of the broker coordinating the target's transactional id, mid-transaction: commits in flight lose
/// their answer and must find the coordinator again once its slot moves, after the broker session timeout.
/// </summary>
public sealed class TransactionCoordinatorKillFault : Fault
{
    /// <inheritdoc />
    public override string Name => "transaction-coordinator-kill";

    /// <inheritdoc />
    public override TimeSpan Hold => ChaosCluster.BrokerSessionTimeout + TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public override bool AffectsProducers => false;

    /// <inheritdoc />
    public override bool TakesVictimDown => true;

    /// <inheritdoc />
    public override Task InjectAsync(FaultTarget target)
    {
        string transactionalId = target.TransactionalId ?? throw new InvalidOperationException("A transaction coordinator kill needs a transactional id.");
        Victim = target.Cluster.CoordinatorOf(transactionalId);
        return target.Cluster.KillBrokerAsync(Victim);
    }

    /// <inheritdoc />
    public override Task HealAsync(FaultTarget target) => target.Cluster.StartBrokerAsync(Victim);
}
