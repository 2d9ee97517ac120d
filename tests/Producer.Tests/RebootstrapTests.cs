using KafkaNative.Sim;

namespace KafkaNative.Producer.Tests;

/// <summary>
/// Rebootstrap (KIP-899, KIP-1102) against a cluster whose brokers all change. The approach: the clients bootstrap from
/// a name, <c>bootstrap.kafka.test</c>, that a test transport resolves (<see cref="TestDns"/>) at each connection, as DNS
/// would; it first names a broker of simulated cluster A. Then the name is pointed at cluster B, a second simulated
/// cluster on other ports (its own brokers, the same node ids), and every broker of A stops, so every broker in the
/// clients' metadata fails. The clients must resolve the bootstrap name again, take B's metadata as their broker set,
/// and produce and consume there. The first test's producer is not idempotent: its producer id from A means nothing
/// to B (B answers OUT_OF_ORDER_SEQUENCE_NUMBER and the epoch bump asks B about an id it never issued); moving an
/// idempotent producer's identity across clusters is not handled yet.
/// </summary>
public class RebootstrapTests
{
    [Fact]
    public async Task When_every_known_broker_is_gone_the_clients_rebootstrap_and_work_on_the_new_cluster()
    {
        await using var a = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 2, BasePort = 0 });
        await using var b = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 2, BasePort = 0 });
        await a.CreateTopicAsync("moved", 1, 2);
        await b.CreateTopicAsync("moved", 1, 2);
        var dns = new TestDns("bootstrap.kafka.test", a.BootstrapServers.Split(',')[0]);
        var options = new ProducerOptions
        {
            BootstrapServers = "bootstrap.kafka.test:9092",
            Transport = dns,
            EnableIdempotence = false,
            DeliveryTimeout = TimeSpan.FromSeconds(60),
            MetadataMinRefreshInterval = TimeSpan.FromMilliseconds(50),
            ReconnectBackoffMax = TimeSpan.FromMilliseconds(200),
        };
        await using var producer = new KafkaProducer<string, string>(options);
        await producer.ProduceAsync("moved", "k", "on-a");
        Assert.Equal(["on-a"], ClusterLog.Read(a, "moved", 0).Select(r => r.Value));
        var consumerOptions = new ConsumerOptions { BootstrapServers = options.BootstrapServers, Transport = dns, ReconnectBackoffMax = options.ReconnectBackoffMax };
        await using var consumer = new KafkaConsumer<string, string>(consumerOptions);
        consumer.Assign([new TopicPartitionOffset("moved", 0, 0)]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Assert.Equal("on-a", await FirstValueAsync(consumer, cts.Token));

        dns.Target = b.BootstrapServers.Split(',')[0];
        foreach (int broker in a.BrokerIds) await a.StopBrokerAsync(broker);
        int resolvedBefore = dns.Resolutions;
        DeliveryResult onB = await producer.ProduceAsync("moved", "k", "on-b");

        Assert.Equal(["on-b"], ClusterLog.Read(b, "moved", 0).Select(r => r.Value));
        Assert.Equal(0, onB.Offset);
        Assert.True(dns.Resolutions > resolvedBefore, "the bootstrap name was not resolved again");
        // The consumer, which read A, reads B's record from the start of B's log.
        consumer.Seek(new TopicPartitionOffset("moved", 0, 0));
        Assert.Equal("on-b", await FirstValueAsync(consumer, cts.Token));
    }

    private static async Task<string?> FirstValueAsync(KafkaConsumer<string, string> consumer, CancellationToken cancellationToken)
    {
        await foreach (var message in consumer.ConsumeAsync(cancellationToken)) return message.Value;
        return null;
    }

    [Fact]
    public async Task With_strategy_None_the_clients_keep_to_the_brokers_they_know()
    {
        await using var a = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1, BasePort = 0 });
        await using var b = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1, BasePort = 0 });
        await a.CreateTopicAsync("kept", 1, 1);
        await b.CreateTopicAsync("kept", 1, 1);
        var dns = new TestDns("bootstrap.kafka.test", a.BootstrapServers);
        var options = new ProducerOptions
        {
            BootstrapServers = "bootstrap.kafka.test:9092",
            Transport = dns,
            MetadataRecoveryStrategy = MetadataRecoveryStrategy.None,
            DeliveryTimeout = TimeSpan.FromSeconds(3),
            RequestTimeout = TimeSpan.FromSeconds(1),
            MetadataMinRefreshInterval = TimeSpan.FromMilliseconds(50),
            ReconnectBackoffMax = TimeSpan.FromMilliseconds(200),
        };
        await using var producer = new KafkaProducer<string, string>(options);
        await producer.ProduceAsync("kept", "k", "on-a");
        dns.Target = b.BootstrapServers;
        await a.StopBrokerAsync(a.BrokerIds.First());
        int resolvedBefore = dns.Resolutions;

        await Assert.ThrowsAsync<ProduceException>(async () => await producer.ProduceAsync("kept", "k", "lost"));
        Assert.Empty(ClusterLog.Read(b, "kept", 0));
        Assert.Equal(resolvedBefore, dns.Resolutions);
    }

    /// <summary>A transport that resolves one host name to whichever <c>host:port</c> <see cref="Target"/> names at each connection, as DNS would.</summary>
    private sealed class TestDns(string name, string target) : IKafkaTransport
    {
        private int _resolutions;

        public string Target { get; set; } = target;

        public int Resolutions => Volatile.Read(ref _resolutions);

        public ValueTask<IKafkaTransportConnection> ConnectAsync(BrokerEndpoint endpoint, KafkaTlsOptions? tls, CancellationToken cancellationToken)
        {
            if (endpoint.Host == name)
            {
                Interlocked.Increment(ref _resolutions);
                string[] parts = Target.Split(':');
                endpoint = new BrokerEndpoint(parts[0], int.Parse(parts[1]));
            }
            return KafkaTransport.Default.ConnectAsync(endpoint, tls, cancellationToken);
        }
    }
}
