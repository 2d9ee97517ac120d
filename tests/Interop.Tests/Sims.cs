using KafkaNative.Consumer;
using KafkaNative.Producer;
using KafkaNative.Sim;

namespace KafkaNative.Interop.Tests;

/// <summary>The embedded cluster every interop test runs against, and our clients' options for it (short timeouts, so faults resolve quickly).</summary>
internal static class Sims
{
    /// <summary>A hang bound, never a timing expectation.</summary>
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    public static Task<SimulatedCluster> StartAsync(int brokers = 3) =>
        SimulatedCluster.StartAsync(new ClusterOptions { Brokers = brokers, BasePort = 0, BrokerSessionTimeout = TimeSpan.FromSeconds(6) });

    public static ProducerOptions OurProducer(SimulatedCluster sim, CompressionType compression = default) => new()
    {
        BootstrapServers = sim.BootstrapServers,
        ClientId = "kafkanative-interop",
        Compression = compression,
        Linger = TimeSpan.FromMilliseconds(5),
        RequestTimeout = TimeSpan.FromSeconds(10),
        ReconnectBackoffMax = TimeSpan.FromSeconds(1),
        MetadataMinRefreshInterval = TimeSpan.FromMilliseconds(50),
        RetryBackoff = TimeSpan.FromMilliseconds(50),
        DeliveryTimeout = TimeSpan.FromSeconds(90),
    };

    public static ConsumerOptions OurConsumer(SimulatedCluster sim, string? group = null) => new()
    {
        BootstrapServers = sim.BootstrapServers,
        ClientId = "kafkanative-interop",
        GroupId = group,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        FetchMaxWait = TimeSpan.FromMilliseconds(100),
        SessionTimeout = TimeSpan.FromSeconds(6),
        HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        RebalanceTimeout = TimeSpan.FromSeconds(20),
        AutoCommitInterval = TimeSpan.FromMilliseconds(300),
        RequestTimeout = TimeSpan.FromSeconds(10),
        ReconnectBackoffMax = TimeSpan.FromSeconds(1),
        RetryBackoff = TimeSpan.FromMilliseconds(50),
        MetadataMinRefreshInterval = TimeSpan.FromMilliseconds(50),
    };
}
