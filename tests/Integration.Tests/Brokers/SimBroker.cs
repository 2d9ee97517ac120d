using KafkaNative.Sim;

namespace KafkaNative.Integration.Tests.Brokers;

/// <summary>The embedded simulated cluster: three brokers on loopback, so a leader can be restarted under load.</summary>
public sealed class SimBroker(SimulatedCluster cluster) : IBrokerUnderTest
{
    public static async Task<SimBroker> StartAsync() =>
        new(await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3, BasePort = 0, DefaultPartitions = 1, GroupMinSessionTimeoutMs = 1000 }));

    public BrokerMode Mode => BrokerMode.Sim;

    public string BootstrapServers => cluster.BootstrapServers;

    public string? Unavailable => null;

    public string? CannotRestart => null;

    public async Task RestartLeaderAsync(string topic, int partition)
    {
        int leader = cluster.LeaderOf(topic, partition);
        await cluster.StopBrokerAsync(leader);
        await cluster.StartBrokerAsync(leader);
    }

    public ValueTask DisposeAsync() => cluster.DisposeAsync();
}
