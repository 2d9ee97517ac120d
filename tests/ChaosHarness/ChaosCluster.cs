using KafkaNative.Sim;

namespace KafkaNative.Chaos;

/// <summary>The simulated cluster every chaos run starts from: 3 brokers, the workload topic replicated 3 times.</summary>
public static class ChaosCluster
{
    /// <summary>The workload topic.</summary>
    public const string Topic = "chaos";

    /// <summary>How long a killed broker keeps its leadership; shorter than the Sim's default so kill cells stay quick.</summary>
    public static readonly TimeSpan BrokerSessionTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Starts the cluster and creates <see cref="Topic"/>.</summary>
    public static async Task<SimulatedCluster> StartAsync(int seed = 7)
    {
        var options = new ClusterOptions
        {
            Brokers = 3,
            Seed = seed,
            BrokerSessionTimeout = BrokerSessionTimeout,
            LoggerFactory = ChaosLogFile.For("cluster"),
        };
        SimulatedCluster cluster = await SimulatedCluster.StartAsync(options);
        try
        {
            await cluster.CreateTopicAsync(Topic, ChaosSettings.Partitions);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The host:port broker <paramref name="brokerId"/> listens on.</summary>
    public static string AddressOf(SimulatedCluster cluster, int brokerId) => cluster.BootstrapServers.Split(',')[brokerId];
}
