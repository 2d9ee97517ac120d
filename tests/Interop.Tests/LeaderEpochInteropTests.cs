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

    /// <remarks>
    /// librdkafka 2.16 does not validate a committed offset when it starts from it (it validates on leader changes and
    /// seeks only): after a truncation it meets OFFSET_OUT_OF_RANGE and resets by its policy, where the Java client
    /// and ours validate and continue at the divergence offset. So this checks only that it reads our epoch back.
    /// </remarks>
    [Fact]
    public async Task Our_commits_carry_the_leader_epoch_which_librdkafka_reads_back()
    {
        await using SimulatedCluster sim = await Sims.StartAsync(brokers: 3);
        await sim.CreateTopicAsync("epoch-committed", 1, 3);
        await ProduceAsync(sim, "epoch-committed", Enumerable.Range(0, 20).Select(i => $"v{i}"));
        int leader = sim.LeaderOf("epoch-committed", 0);
        await sim.MoveLeaderAsync("epoch-committed", 0, (leader + 1) % 3);     // epoch 1
        await ProduceAsync(sim, "epoch-committed", Enumerable.Range(20, 10).Select(i => $"v{i}"));
        using var cts = new CancellationTokenSource(Sims.Generous);
        await using (var ours = new KafkaNative.KafkaConsumer<string?, string?>(Sims.OurConsumer(sim, "epoch-group")))
        {
            ours.Assign([new KafkaNative.TopicPartitionOffset("epoch-committed", 0, 0)]);
            await foreach (KafkaNative.ConsumeResult<string?, string?> message in ours.ConsumeAsync(cts.Token))
            {
                if (message.Offset == 29) break;
            }
            await ours.CommitAsync(cts.Token);
        }

        using Rd.IConsumer<byte[]?, byte[]?> theirs = Librdkafka.ConsumerBuilder(Librdkafka.ConsumerConfig(sim, "epoch-group"), output).Build();
        List<Rd.TopicPartitionOffset> committed = theirs.Committed([new Rd.TopicPartition("epoch-committed", 0)], TimeSpan.FromSeconds(30));
        Assert.Equal((30L, (int?)1), (committed.Single().Offset.Value, committed.Single().LeaderEpoch));
    }
}
