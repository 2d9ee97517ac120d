using KafkaNative.Consumer;
using KafkaNative.Producer;
using KafkaNative.Sim;
using Xunit.Abstractions;
using Rd = Confluent.Kafka;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// librdkafka 2.16's consumer against the Sim's fetch sessions (KIP-227): it reads every record once over
/// many partitions, also when its session is evicted again and again by another consumer's.
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

    private static IEnumerable<Rd.TopicPartitionOffset> All(string topic) =>
        Enumerable.Range(0, Partitions).Select(p => new Rd.TopicPartitionOffset(topic, p, Rd.Offset.Beginning));

    [Theory]
    [InlineData(1000)]
    [InlineData(1)]
    public async Task Librdkafka_reads_every_record_once_through_the_Sims_fetch_sessions(int slots)
    {
        await using SimulatedCluster sim = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1, BrokerSessionTimeout = TimeSpan.FromSeconds(6), FetchSessionCacheSlots = slots });
        const string Topic = "sessions";
        await sim.CreateTopicAsync(Topic, Partitions, 1);
        (List<SampleRecord> sent, List<long> offsets) = await ProduceAsync(sim, Topic, SampleRecords.Create(400, Partitions, withTimestamps: false));

        using Rd.IConsumer<byte[]?, byte[]?> consumer = Librdkafka.ConsumerBuilder(Librdkafka.ConsumerConfig(sim), output).Build();
        consumer.Assign(All(Topic));
        var read = await Librdkafka.ConsumeAsync(consumer, 400);

        // With one slot, our consumer of the same partitions takes the session away at every fetch.
        await using var ours = new KafkaConsumer<byte[]?, byte[]?>(Sims.OurConsumer(sim));
        Task<List<ConsumeResult<byte[]?, byte[]?>>>? oursReading = null;
        if (slots == 1)
        {
            ours.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(Topic, p, TopicPartitionOffset.Beginning)));
            oursReading = OurClients.ConsumeAsync(ours, 800);
        }

        // Then a trickle: the steady state of incremental fetches.
        Task<List<Rd.ConsumeResult<byte[]?, byte[]?>>> more = Librdkafka.ConsumeAsync(consumer, 400);
        var (sentMore, offsetsMore) = await ProduceAsync(sim, Topic, SampleRecords.Create(400, Partitions, withTimestamps: false));
        read.AddRange(await more);
        if (oursReading is not null) Assert.Equal(800, (await oursReading).Count);

        FetchSessionStatistics stats = sim.FetchSessionStats();
        output.WriteLine($"fetch sessions: {stats}");
        RecordAssert.SamePerPartition([.. sent, .. sentMore], [.. offsets, .. offsetsMore], read.Select(r => (Librdkafka.ToSample(r), r.Offset.Value)).ToList());
        Assert.True(stats.Full > 0 && stats.Incremental > 0, $"librdkafka opened a session and fetched incrementally ({stats})");
        if (slots == 1) Assert.True(stats.Evicted > 0 && stats.SessionErrors > 0, $"sessions were evicted and refused ({stats})");
    }
}
