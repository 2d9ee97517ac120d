using KafkaNative.Sim;

namespace KafkaNative.Chaos;

/// <summary>What a fault acts on: the cluster, the workload's topic and, for group faults, the consumer group.</summary>
/// <param name="Cluster">The simulated cluster.</param>
/// <param name="Topic">The workload topic.</param>
/// <param name="Partitions">Its partition count.</param>
/// <param name="GroupId">The consumer group, or null when no group runs.</param>
/// <param name="TransactionalId">A transactional id whose coordinator a fault may strike, or null when no transactions run.</param>
public sealed record FaultTarget(SimulatedCluster Cluster, string Topic, int Partitions, string? GroupId = null, string? TransactionalId = null)
{
    /// <summary>The broker most of the workload depends on: the leader of partition 0.</summary>
    public int LeaderOfFirstPartition() => Cluster.LeaderOf(Topic, 0);
}
