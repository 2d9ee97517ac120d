using KafkaNative.Client;
using KafkaNative.Admin;
using KafkaNative.Consumer;
using KafkaNative.Integration.Tests.Brokers;
using KafkaNative.Producer;
using KafkaNative.Protocol.Compression;

namespace KafkaNative.Integration.Tests.Suite;

/// <summary>Clients configured for tests against any broker: short backoffs, generous deadlines.</summary>
public static class SuiteClients
{
    /// <summary>Deadline for anything a healthy broker does in well under a second; real clusters and containers can be slow to warm up.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public static string UniqueTopic(string what) => $"it-{what}-{Guid.NewGuid():N}"[..Math.Min(40, 12 + what.Length)];

    public static ProducerOptions ProducerOptionsFor(IBrokerUnderTest broker, CompressionType compression = CompressionType.None, bool idempotent = true) => new()
    {
        BootstrapServers = broker.BootstrapServers,
        Compression = compression,
        EnableIdempotence = idempotent,
        Linger = TimeSpan.FromMilliseconds(2),
        DeliveryTimeout = Deadline,
        RetryBackoff = TimeSpan.FromMilliseconds(50),
        MetadataMinRefreshInterval = TimeSpan.FromMilliseconds(50),
        ReconnectBackoffMax = TimeSpan.FromMilliseconds(500),
    };

    public static ConsumerOptions ConsumerOptionsFor(IBrokerUnderTest broker, string? group = null) => new()
    {
        BootstrapServers = broker.BootstrapServers,
        GroupId = group,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        FetchMaxWait = TimeSpan.FromMilliseconds(100),
        SessionTimeout = TimeSpan.FromSeconds(10),
        HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        RebalanceTimeout = TimeSpan.FromSeconds(20),
        RetryBackoff = TimeSpan.FromMilliseconds(50),
        MetadataMinRefreshInterval = TimeSpan.FromMilliseconds(50),
        ReconnectBackoffMax = TimeSpan.FromMilliseconds(500),
    };

    public static KafkaAdminClient AdminClient(IBrokerUnderTest broker) => new(new KafkaClientOptions { BootstrapServers = broker.BootstrapServers, MetadataMinRefreshInterval = TimeSpan.FromMilliseconds(50) });

    /// <summary>Creates a topic with the broker's default replication factor (1 on a one-node container, 3 on the Sim).</summary>
    public static async Task<string> CreateTopicAsync(IBrokerUnderTest broker, string what, int partitions = 1, IReadOnlyDictionary<string, string>? configs = null)
    {
        string topic = UniqueTopic(what);
        await using KafkaAdminClient admin = AdminClient(broker);
        await admin.CreateTopicsAsync([new NewTopic(topic, partitions) { Configs = configs ?? new Dictionary<string, string>() }]);
        return topic;
    }

    /// <summary>Reads <paramref name="count"/> records of one partition from its beginning, failing after <see cref="Deadline"/>.</summary>
    public static async Task<List<ConsumeResult<string?, byte[]?>>> ReadAsync(IBrokerUnderTest broker, string topic, int count, int partition = 0)
    {
        await using var consumer = new KafkaConsumer<string?, byte[]?>(ConsumerOptionsFor(broker));
        consumer.Assign([new TopicPartitionOffset(topic, partition, TopicPartitionOffset.Beginning)]);
        return await TakeAsync(consumer, count);
    }

    /// <summary>The next <paramref name="count"/> records a consumer delivers.</summary>
    public static async Task<List<ConsumeResult<string?, byte[]?>>> TakeAsync(KafkaConsumer<string?, byte[]?> consumer, int count)
    {
        var results = new List<ConsumeResult<string?, byte[]?>>();
        using var deadline = new CancellationTokenSource(Deadline);
        await foreach (ConsumeResult<string?, byte[]?> result in consumer.ConsumeAsync(deadline.Token))
        {
            results.Add(result);
            if (results.Count == count) break;
        }
        return results;
    }
}
