using System.Text;
using KafkaNative.Protocol;
using KafkaNative.Sim;
using Xunit.Abstractions;
using Rd = Confluent.Kafka;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// librdkafka validates its position with OffsetForLeaderEpoch after a leader change (KIP-320), as ours does: the
/// Sim must answer it as Kafka does, through a plain leader move and through an unclean election that truncates
/// what the consumer read (librdkafka then seeks to the divergence offset, auto.offset.reset being earliest).
/// </summary>
public class LeaderEpochInteropTests(ITestOutputHelper output)
{
    private static Rd.Message<byte[]?, byte[]?> Message(string value) => new() { Key = Encoding.UTF8.GetBytes("k"), Value = Encoding.UTF8.GetBytes(value) };

    private static string Value(Rd.ConsumeResult<byte[]?, byte[]?> result) => Encoding.UTF8.GetString(result.Message.Value!);

    private async Task ProduceAsync(SimulatedCluster sim, string topic, IEnumerable<string> values)
    {
        using Rd.IProducer<byte[]?, byte[]?> producer = Librdkafka.Producer(Librdkafka.ProducerConfig(sim, idempotent: false), output);
        foreach (string value in values) await producer.ProduceAsync(new Rd.TopicPartition(topic, 0), Message(value));
    }

    private static long Validations(SimulatedCluster sim) => sim.BrokerIds.Sum(b => sim.RequestCount(b, ApiKey.OffsetForLeaderEpoch));

    [Fact]
    public async Task Librdkafka_validates_after_a_leader_move_and_reads_everything_once()
    {
        await using SimulatedCluster sim = await Sims.StartAsync(brokers: 3);
        await sim.CreateTopicAsync("moved", 1, 3);
        await ProduceAsync(sim, "moved", Enumerable.Range(0, 100).Select(i => $"v{i}"));
        using Rd.IConsumer<byte[]?, byte[]?> consumer = Librdkafka.ConsumerBuilder(Librdkafka.ConsumerConfig(sim), output).Build();
        consumer.Assign([new Rd.TopicPartitionOffset("moved", 0, Rd.Offset.Beginning)]);
        List<Rd.ConsumeResult<byte[]?, byte[]?>> before = await Librdkafka.ConsumeAsync(consumer, 100);

        int leader = sim.LeaderOf("moved", 0);
        await sim.MoveLeaderAsync("moved", 0, (leader + 1) % 3);
        await ProduceAsync(sim, "moved", Enumerable.Range(100, 100).Select(i => $"v{i}"));
        List<Rd.ConsumeResult<byte[]?, byte[]?>> after = await Librdkafka.ConsumeAsync(consumer, 100);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => ((long)i, $"v{i}")), before.Concat(after).Select(r => (r.Offset.Value, Value(r))));
        await Eventually.TrueAsync(() => Validations(sim) >= 1, "librdkafka to validate its position with OffsetForLeaderEpoch");
    }

    [Fact]
    public async Task Librdkafka_detects_the_truncation_of_an_unclean_election_and_reads_on_from_the_divergence_offset()
    {
        await using SimulatedCluster sim = await Sims.StartAsync(brokers: 2);
        await sim.CreateTopicAsync("truncated", 1, 2);
        int old = sim.LeaderOf("truncated", 0), behind = 1 - old;
        await ProduceAsync(sim, "truncated", Enumerable.Range(0, 30).Select(i => $"v{i}"));
        await sim.StopBrokerAsync(behind);
        await ProduceAsync(sim, "truncated", Enumerable.Range(30, 20).Select(i => $"v{i}"));
        using Rd.IConsumer<byte[]?, byte[]?> consumer = Librdkafka.ConsumerBuilder(Librdkafka.ConsumerConfig(sim), output).Build();
        consumer.Assign([new Rd.TopicPartitionOffset("truncated", 0, Rd.Offset.Beginning)]);
        List<Rd.ConsumeResult<byte[]?, byte[]?>> before = await Librdkafka.ConsumeAsync(consumer, 50);

        await sim.StopBrokerAsync(old);
        await sim.StartBrokerAsync(behind);
        await sim.ElectUncleanLeaderAsync("truncated", 0, behind);
        await ProduceAsync(sim, "truncated", Enumerable.Range(30, 10).Select(i => $"new-{i}"));
        await sim.StartBrokerAsync(old);
        List<Rd.ConsumeResult<byte[]?, byte[]?>> after = await Librdkafka.ConsumeAsync(consumer, 10);

        Assert.Equal(Enumerable.Range(0, 50).Select(i => ((long)i, $"v{i}")), before.Select(r => (r.Offset.Value, Value(r))));
        Assert.Equal(Enumerable.Range(30, 10).Select(i => ((long)i, $"new-{i}")), after.Select(r => (r.Offset.Value, Value(r))));
        Assert.True(Validations(sim) >= 1);
    }
}
