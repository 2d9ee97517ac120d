using System.Text;
using System.Text.Json.Nodes;
using KafkaNative.Consumer;
using KafkaNative.Producer;
using KafkaNative.Sim;
using Xunit.Abstractions;
using OurCompression = KafkaNative.CompressionType;
using Rd = Confluent.Kafka;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// kafkajs (pure JavaScript, a third implementation of the protocol) against us: each reads what the
/// other wrote byte for byte, and a kafkajs member shares a consumer group with ours. kafkajs decodes
/// only gzip without plugins, so those are the codecs here.
/// </summary>
public class KafkajsInteropTests(ITestOutputHelper output)
{
    private const int Records = 200;

    [SkippableTheory]
    [InlineData("none")]
    [InlineData("gzip")]
    public async Task WeRead_WhatKafkajsWrote(string codec)
    {
        Skip.If(Kafkajs.Missing is not null, Kafkajs.Missing);
        await using SimulatedCluster sim = await Sims.StartAsync(brokers: 1);
        await sim.CreateTopicAsync("from-kafkajs", 2, 1);
        var sent = SampleRecords.Create(Records, partitions: 2).Select(Kafkajs.Writable).ToList();

        string input = string.Join("\n", sent.Select(Kafkajs.ToJsonLine)) + "\n";
        List<JsonNode> acks = await Kafkajs.RunAsync(input, Log, "produce", sim.BootstrapServers, "from-kafkajs", codec);
        var offsets = acks.Select(a => long.Parse(a["offset"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToList();

        await using var consumer = new KafkaConsumer<byte[]?, byte[]?>(Sims.OurConsumer(sim));
        consumer.Assign([new TopicPartitionOffset("from-kafkajs", 0, TopicPartitionOffset.Beginning), new TopicPartitionOffset("from-kafkajs", 1, TopicPartitionOffset.Beginning)]);
        var read = await OurClients.ConsumeAsync(consumer, Records);

        RecordAssert.SamePerPartition(sent, offsets, read.Select(r => (OurClients.ToSample(r), r.Offset)).ToList());
    }

    [SkippableTheory]
    [InlineData("none")]
    [InlineData("gzip")]
    public async Task KafkajsReads_WhatWeWrote(string codec)
    {
        Skip.If(Kafkajs.Missing is not null, Kafkajs.Missing);
        await using SimulatedCluster sim = await Sims.StartAsync(brokers: 1);
        await sim.CreateTopicAsync("to-kafkajs", 2, 1);
        IReadOnlyList<SampleRecord> records = SampleRecords.Create(Records, partitions: 2, withTimestamps: false);
        var sent = new List<SampleRecord>();
        var offsets = new List<long>();
        await using (var producer = new KafkaProducer<byte[]?, byte[]?>(Sims.OurProducer(sim, Enum.Parse<OurCompression>(codec, ignoreCase: true))))
        {
            var deliveries = records.Select(r => producer.ProduceAsync("to-kafkajs", r.Partition, r.Key, r.Value, OurClients.Headers(r)).AsTask()).ToList();
            for (int i = 0; i < records.Count; i++)
            {
                DeliveryResult result = await deliveries[i];
                sent.Add(records[i] with { TimestampMs = result.Timestamp.ToUnixTimeMilliseconds() });
                offsets.Add(result.Offset);
            }
        }

        List<JsonNode> read = await Kafkajs.RunAsync("", Log, "consume", sim.BootstrapServers, "to-kafkajs", Records.ToString(System.Globalization.CultureInfo.InvariantCulture));

        RecordAssert.SamePerPartition(sent, offsets, read.Select(Kafkajs.FromJsonLine).ToList());
    }

    public enum Scenario
    {
        /// <summary>kafkajs joins first, so it leads and assigns for ours; then it leaves (commit, LeaveGroup).</summary>
        KafkajsLeadsThenLeaves,

        /// <summary>Ours joins first, so it leads and assigns for kafkajs; then kafkajs's process is killed.</summary>
        OursLeadsThenKafkajsCrashes,
    }

    [SkippableTheory]
    [InlineData(Scenario.KafkajsLeadsThenLeaves)]
    [InlineData(Scenario.OursLeadsThenKafkajsCrashes)]
    public async Task KafkajsMember_SharesAGroupWithOurs_EveryRecordConsumedOnce(Scenario scenario)
    {
        Skip.If(Kafkajs.Missing is not null, Kafkajs.Missing);
        const string Topic = "shared", Group = "with-kafkajs";
        const int Partitions = 4;
        await using SimulatedCluster sim = await Sims.StartAsync(brokers: 3);
        await sim.CreateTopicAsync(Topic, Partitions, 3);
        var ledger = new GroupLedger();
        ConsumerOptions options = Sims.OurConsumer(sim, Group);
        options.AssignmentStrategies = [PartitionAssignmentStrategy.RoundRobin];   // kafkajs's assignor, renamed to the common name
        IGroupMember Ours() => new OurGroupMember("ours", options, Topic, ledger);
        IGroupMember Theirs() => new KafkajsGroupMember("kafkajs", sim.BootstrapServers, Topic, Group, ledger, Log);

        bool kafkajsLeads = scenario == Scenario.KafkajsLeadsThenLeaves;
        await using IGroupMember first = kafkajsLeads ? Theirs() : Ours();
        await Eventually.TrueAsync(() => first.Partitions.Count == Partitions, $"{first.Name} to own every partition");
        await using IGroupMember second = kafkajsLeads ? Ours() : Theirs();
        await Eventually.TrueAsync(
            () => second.Partitions.Count > 0 && first.Partitions.Concat(second.Partitions).Order().SequenceEqual(Enumerable.Range(0, Partitions)),
            () => $"the partitions to split ({first.Name} [{string.Join(",", first.Partitions)}], {second.Name} [{string.Join(",", second.Partitions)}])");
        (IGroupMember kafkajs, IGroupMember ours) = kafkajsLeads ? (first, second) : (second, first);

        var produced = new List<string>();
        await using var producer = new KafkaProducer<byte[]?, byte[]?>(Sims.OurProducer(sim));
        async Task ProduceAsync(string phase)
        {
            for (int i = 0; i < 100; i++)
            {
                string value = $"{phase}-{i}";
                produced.Add(value);
                await producer.ProduceAsync(Topic, i % Partitions, null, Encoding.UTF8.GetBytes(value));
            }
            await Eventually.TrueAsync(() => ledger.Count >= produced.Count, () => $"{produced.Count} records consumed (so far {ledger.Tally()})");
        }

        await ProduceAsync("shared");
        // Ours takes kafkajs's partitions over from kafkajs's commits (made on leaving, or before the crash).
        if (kafkajsLeads)
        {
            await kafkajs.LeaveAsync();
        }
        else
        {
            using Rd.IAdminClient admin = Librdkafka.Admin(sim, output);
            await GroupOffsets.CommittedUpToTheEndAsync(sim, admin, Group, Topic, Partitions);
            await kafkajs.CrashAsync();
        }
        await Eventually.TrueAsync(() => ours.Partitions.Count == Partitions, "ours to own every partition");
        await ProduceAsync("after-kafkajs");

        output.WriteLine($"consumed by: {ledger.Tally()}");
        Assert.True(ledger.Values.Count == ledger.Values.Distinct().Count(), $"duplicates: {ledger.Duplicates()}");
        Assert.Equal(produced.Order(StringComparer.Ordinal), ledger.Values.Order(StringComparer.Ordinal));
        Assert.Equal(["kafkajs", "ours"], ledger.Members.Order());
    }

    private void Log(string line)
    {
        try { output.WriteLine($"[kafkajs] {line}"); } catch (InvalidOperationException) { }
    }
}
