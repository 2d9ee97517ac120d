using KafkaNative.Consumer;
using KafkaNative.Producer;
using KafkaNative.Sim;
using Xunit.Abstractions;
using Rd = Confluent.Kafka;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// librdkafka 2.16 beside the Sim's fetch sessions (KIP-227). librdkafka does not use sessions: every
/// Fetch it sends (v11 and up) carries session id 0 and epoch -1, a full fetch without a session, which
/// the Sim answers in full; our consumer beside it opens a session and fetches incrementally.
/// </summary>
public class FetchSessionInteropTests(ITestOutputHelper output)
{
    private const int Partitions = 20;

    private static async Task<(List<SampleRecord> Sent, List<long> Offsets)> ProduceAsync(SimulatedCluster sim, string topic, IReadOnlyList<SampleRecord> records)
    {
        var sent = new List<SampleRecord>();
        var offsets = new List<long>();
        await using var producer = new KafkaProducer<byte[]?, byte[]?>(Sims.OurProducer(sim));
        var deliveries = new List<ValueTask<DeliveryResult>>();
        foreach (SampleRecord r in records) deliveries.Add(producer.ProduceAsync(topic, r.Partition, r.Key, r.Value, OurClients.Headers(r)));
        for (int i = 0; i < records.Count; i++)
        {
            DeliveryResult result = await deliveries[i];
            sent.Add(records[i] with { TimestampMs = result.Timestamp.ToUnixTimeMilliseconds() });
            offsets.Add(result.Offset);
        }
        return (sent, offsets);
    }

    [Fact]
    public async Task Librdkafka_fetches_without_a_session_beside_our_incremental_consumer_and_both_read_every_record_once()
    {
        await using SimulatedCluster sim = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1, BrokerSessionTimeout = TimeSpan.FromSeconds(6), FetchSessionCacheSlots = 1 });
        const string Topic = "sessions";
        await sim.CreateTopicAsync(Topic, Partitions, 1);
        (List<SampleRecord> sent, List<long> offsets) = await ProduceAsync(sim, Topic, SampleRecords.Create(400, Partitions, withTimestamps: false));

        using Rd.IConsumer<byte[]?, byte[]?> theirs = Librdkafka.ConsumerBuilder(Librdkafka.ConsumerConfig(sim), output).Build();
        theirs.Assign(Enumerable.Range(0, Partitions).Select(p => new Rd.TopicPartitionOffset(Topic, p, Rd.Offset.Beginning)));
        await using var ours = new KafkaConsumer<byte[]?, byte[]?>(Sims.OurConsumer(sim));
        ours.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(Topic, p, TopicPartitionOffset.Beginning)));
        Task<List<Rd.ConsumeResult<byte[]?, byte[]?>>> theirsReading = Librdkafka.ConsumeAsync(theirs, 800);
        Task<List<ConsumeResult<byte[]?, byte[]?>>> oursReading = OurClients.ConsumeAsync(ours, 800);

        // Then a trickle: the steady state of incremental fetches.
        var (sentMore, offsetsMore) = await ProduceAsync(sim, Topic, SampleRecords.Create(400, Partitions, withTimestamps: false));
        var read = await theirsReading;
        Assert.Equal(800, (await oursReading).Count);

        FetchSessionStatistics stats = sim.FetchSessionStats();
        output.WriteLine($"fetch sessions: {stats}");
        RecordAssert.SamePerPartition([.. sent, .. sentMore], [.. offsets, .. offsetsMore], read.Select(r => (Librdkafka.ToSample(r), r.Offset.Value)).ToList());
        Assert.True(stats.Sessionless > 0, $"librdkafka's sessionless fetches ({stats})");
        Assert.True(stats.Full > 0 && stats.Incremental > 0, $"our consumer's session ({stats})");
        Assert.Equal(0, stats.SessionErrors);
    }
}
