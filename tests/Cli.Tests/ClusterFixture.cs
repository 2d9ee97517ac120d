using KafkaNative.Sim;

namespace KafkaNative.Cli.Tests;

/// <summary>One in-process simulated cluster (3 brokers, ephemeral ports) shared by a test class; each test uses its own topics and groups.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public SimulatedCluster Cluster { get; private set; } = null!;

    public string Bootstrap => Cluster.BootstrapServers;

    public async Task InitializeAsync() => Cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3, BasePort = 0 });

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
