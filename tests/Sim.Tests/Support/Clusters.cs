namespace KafkaNative.Sim.Tests.Support;

/// <summary>Cluster options tests start from: ephemeral ports, quick group timeouts.</summary>
internal static class Clusters
{
    public static ClusterOptions Options(int brokers = 3, int partitions = 6) => new()
    {
        Brokers = brokers,
        DefaultPartitions = partitions,
        GroupMinSessionTimeoutMs = 100,
    };

    public static Task<SimulatedCluster> StartAsync(int brokers = 3, int partitions = 6) => SimulatedCluster.StartAsync(Options(brokers, partitions));
}
