using KafkaNative.Consumer;
using KafkaNative.Producer;
using KafkaNative.Sim;
using Xunit.Abstractions;
using Rd = Confluent.Kafka;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// Each side's idempotent producer keeps writing while the leader of partition 0 goes down (a controlled
/// stop, or a crash that loses the answers to requests in flight) and comes back: retries must not
/// store anything twice. The other side
/// reads the log back, and every record is there exactly once, at the offset its writer was told.
/// </summary>
public class IdempotentBounceTests(ITestOutputHelper output)
{
    private const string Topic = "bounce";
    private const int Partitions = 3, Records = 1500, InFlight = 200;

    public enum Bounce { Stop, Crash }

    [Theory]
    [InlineData(Bounce.Stop)]
    [InlineData(Bounce.Crash)]
    public async Task LibrdkafkaIdempotentProducer_SurvivesBounce_AndWeReadEachRecordOnce(Bounce bounce)
    {
        await using SimulatedCluster sim = await StartAsync();
        IReadOnlyList<SampleRecord> records = SampleRecords.Create(Records, Partitions);
        var written = new List<(SampleRecord Record, long Offset)>();
        using (Rd.IProducer<byte[]?, byte[]?> producer = Librdkafka.Producer(Librdkafka.ProducerConfig(sim, idempotent: true), output))
        {
            await ProduceThroughBounceAsync(sim, bounce, records, async r =>
            {
                var delivery = await producer.ProduceAsync(new Rd.TopicPartition(Topic, r.Partition), Librdkafka.Message(r));
                return (r, delivery.Offset.Value);
            }, written);
        }

        await using var consumer = new KafkaConsumer<byte[]?, byte[]?>(Sims.OurConsumer(sim));
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(Topic, p, TopicPartitionOffset.Beginning)));
        var read = await OurClients.ConsumeAsync(consumer, Records);

        AssertEachRecordOnce(sim, written, read.Select(r => (OurClients.ToSample(r), r.Offset)));
    }

    [Theory]
    [InlineData(Bounce.Stop)]
    [InlineData(Bounce.Crash)]
    public async Task OurIdempotentProducer_SurvivesBounce_AndLibrdkafkaReadsEachRecordOnce(Bounce bounce)
    {
        await using SimulatedCluster sim = await StartAsync();
        IReadOnlyList<SampleRecord> records = SampleRecords.Create(Records, Partitions, withTimestamps: false);
        var written = new List<(SampleRecord Record, long Offset)>();
        await using (var producer = new KafkaProducer<byte[]?, byte[]?>(Sims.OurProducer(sim)))
        {
            await ProduceThroughBounceAsync(sim, bounce, records, async r =>
            {
                DeliveryResult delivery = await producer.ProduceAsync(Topic, r.Partition, r.Key, r.Value, OurClients.Headers(r));
                return (r with { TimestampMs = delivery.Timestamp.ToUnixTimeMilliseconds() }, delivery.Offset);
            }, written);
        }

        using Rd.IConsumer<byte[]?, byte[]?> consumer = Librdkafka.ConsumerBuilder(Librdkafka.ConsumerConfig(sim), output).Build();
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new Rd.TopicPartitionOffset(Topic, p, Rd.Offset.Beginning)));
        var read = await Librdkafka.ConsumeAsync(consumer, Records);

        AssertEachRecordOnce(sim, written, read.Select(r => (Librdkafka.ToSample(r), r.Offset.Value)));
    }

    private static async Task<SimulatedCluster> StartAsync()
    {
        SimulatedCluster sim = await Sims.StartAsync(brokers: 3);
        await sim.CreateTopicAsync(Topic, Partitions, 3);
        return sim;
    }

    /// <summary>
    /// Produces every record with up to <see cref="InFlight"/> unacknowledged, stopping or crashing
    /// partition 0's leader a third of the way in and restarting it at two thirds (a crashed broker is
    /// fenced then, so leadership has moved either way). Collects each delivery.
    /// </summary>
    private static async Task ProduceThroughBounceAsync(SimulatedCluster sim, Bounce bounce, IReadOnlyList<SampleRecord> records,
        Func<SampleRecord, Task<(SampleRecord, long)>> produce, List<(SampleRecord, long)> written)
    {
        int victim = sim.LeaderOf(Topic, 0);
        var pending = new Queue<Task<(SampleRecord, long)>>();
        for (int i = 0; i < records.Count; i++)
        {
            if (i == records.Count / 3) await (bounce == Bounce.Crash ? sim.KillBrokerAsync(victim) : sim.StopBrokerAsync(victim));
            if (i == 2 * records.Count / 3) await sim.StartBrokerAsync(victim);
            pending.Enqueue(produce(records[i]));
            if (pending.Count >= InFlight) written.Add(await pending.Dequeue().WaitAsync(Sims.Generous));
        }
        while (pending.Count > 0) written.Add(await pending.Dequeue().WaitAsync(Sims.Generous));
        Assert.NotEqual(victim, sim.LeaderOf(Topic, 0));
    }

    private static void AssertEachRecordOnce(SimulatedCluster sim, List<(SampleRecord Record, long Offset)> written, IEnumerable<(SampleRecord Record, long Offset)> read)
    {
        static IEnumerable<string> Render(IEnumerable<(SampleRecord Record, long Offset)> records) =>
            records.OrderBy(x => x.Record.Partition).ThenBy(x => x.Offset).Select(x => $"@{x.Offset} {x.Record}");

        Assert.Equal(Render(written), Render(read));
        // Nothing stored twice: each log holds exactly the records written to it, offsets 0 to n-1.
        for (int p = 0; p < Partitions; p++)
            Assert.Equal(written.Count(w => w.Record.Partition == p), sim.HighWatermark(Topic, p));
    }
}
