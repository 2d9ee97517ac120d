using KafkaNative.Sim;

namespace KafkaNative.Extensions.Tests;

/// <summary>An in-process simulated cluster reached through the in-memory transport, and clients tuned to notice things quickly.</summary>
internal static class SimKafka
{
    public static async Task<SimulatedCluster> StartAsync(params (string Topic, int Partitions)[] topics)
    {
        SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1, DefaultReplicationFactor = 1 });
        foreach ((string topic, int partitions) in topics) await cluster.CreateTopicAsync(topic, partitions, replicationFactor: 1);
        return cluster;
    }

    public static IKafkaTransport InMemory(SimulatedCluster cluster) =>
        KafkaTransport.InMemory((endpoint, ct) => cluster.ConnectInMemoryAsync(endpoint.Host, endpoint.Port, ct));

    public static void Configure(KafkaClientOptions options, SimulatedCluster cluster)
    {
        options.BootstrapServers = cluster.BootstrapServers;
        options.Transport = InMemory(cluster);
        options.RequestTimeout = TimeSpan.FromSeconds(5);
        options.ConnectTimeout = TimeSpan.FromSeconds(2);
        options.ReconnectBackoffMax = TimeSpan.FromMilliseconds(500);
        options.MetadataMinRefreshInterval = TimeSpan.FromMilliseconds(50);
    }

    public static void Configure(ConsumerOptions options, SimulatedCluster cluster, string group)
    {
        Configure((KafkaClientOptions)options, cluster);
        options.GroupId = group;
        options.AutoOffsetReset = AutoOffsetReset.Earliest;
        options.FetchMaxWait = TimeSpan.FromMilliseconds(50);
        options.SessionTimeout = TimeSpan.FromSeconds(6);
        options.HeartbeatInterval = TimeSpan.FromMilliseconds(300);
        options.AutoCommitInterval = TimeSpan.FromMilliseconds(200);
        options.RetryBackoff = TimeSpan.FromMilliseconds(50);
    }

    public static ProducerOptions Producer(SimulatedCluster cluster)
    {
        var options = new ProducerOptions { Linger = TimeSpan.FromMilliseconds(1), DeliveryTimeout = TimeSpan.FromSeconds(30) };
        Configure(options, cluster);
        return options;
    }

    /// <summary>Reads every record of a topic from the beginning until <paramref name="count"/> have come.</summary>
    public static async Task<List<ConsumeResult<byte[]?, byte[]?>>> ReadAsync(SimulatedCluster cluster, string topic, int partitions, int count)
    {
        var options = new ConsumerOptions();
        Configure((KafkaClientOptions)options, cluster);
        options.FetchMaxWait = TimeSpan.FromMilliseconds(50);
        await using var consumer = new KafkaConsumer<byte[]?, byte[]?>(options);
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, TopicPartitionOffset.Beginning)));
        var records = new List<ConsumeResult<byte[]?, byte[]?>>();
        using var timeout = new CancellationTokenSource(Eventually.DefaultTimeout);
        if (count == 0) return records;
        await foreach (ConsumeResult<byte[]?, byte[]?> record in consumer.ConsumeAsync(timeout.Token))
        {
            records.Add(record);
            if (records.Count == count) break;
        }
        return records;
    }

    /// <summary>The group's committed offsets of a topic's partitions (-1 where none).</summary>
    public static async Task<long[]> CommittedAsync(SimulatedCluster cluster, string group, string topic, int partitions)
    {
        var options = new ConsumerOptions { GroupId = group };
        Configure((KafkaClientOptions)options, cluster);
        await using var consumer = new KafkaConsumer<byte[]?, byte[]?>(options);
        IReadOnlyList<TopicPartitionOffset> committed = await consumer.CommittedAsync(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)));
        return [.. committed.OrderBy(c => c.Partition).Select(c => c.Offset)];
    }
}
