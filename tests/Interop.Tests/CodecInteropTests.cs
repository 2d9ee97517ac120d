using KafkaNative.Consumer;
using KafkaNative.Producer;
using KafkaNative.Sim;
using Xunit.Abstractions;
using OurCompression = KafkaNative.CompressionType;
using Rd = Confluent.Kafka;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// Every codec both ways between librdkafka 2.16 and us: what one side writes, the other reads back
/// byte for byte (key, value, headers, timestamp), in order, at the offsets the writer was told.
/// </summary>
public class CodecInteropTests(ITestOutputHelper output)
{
    private const int Records = 200;

    public static TheoryData<string> Codecs => ["none", "gzip", "snappy", "lz4", "zstd"];

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task WeRead_WhatLibrdkafkaWrote(string codec)
    {
        await using SimulatedCluster sim = await Sims.StartAsync(brokers: 1);
        string topic = $"theirs-{codec}";
        await sim.CreateTopicAsync(topic, 2, 1);
        IReadOnlyList<SampleRecord> sent = SampleRecords.Create(Records, partitions: 2);

        var offsets = new List<long>();
        using (Rd.IProducer<byte[]?, byte[]?> producer = Librdkafka.Producer(Librdkafka.ProducerConfig(sim, Enum.Parse<Rd.CompressionType>(codec, ignoreCase: true)), output))
        {
            // Produce everything before awaiting any, so records share batches and the codec has something to compress.
            var deliveries = sent.Select(r => producer.ProduceAsync(new Rd.TopicPartition(topic, r.Partition), Librdkafka.Message(r))).ToList();
            foreach (var delivery in deliveries) offsets.Add((await delivery.WaitAsync(Sims.Generous)).Offset.Value);
        }

        await using var consumer = new KafkaConsumer<byte[]?, byte[]?>(Sims.OurConsumer(sim));
        consumer.Assign([new TopicPartitionOffset(topic, 0, TopicPartitionOffset.Beginning), new TopicPartitionOffset(topic, 1, TopicPartitionOffset.Beginning)]);
        var read = await OurClients.ConsumeAsync(consumer, Records);

        AssertStoredWith(sim, topic, codec);
        RecordAssert.SamePerPartition(sent, offsets, read.Select(r => (OurClients.ToSample(r), r.Offset)).ToList());
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task LibrdkafkaReads_WhatWeWrote(string codec)
    {
        await using SimulatedCluster sim = await Sims.StartAsync(brokers: 1);
        string topic = $"ours-{codec}";
        await sim.CreateTopicAsync(topic, 2, 1);
        IReadOnlyList<SampleRecord> records = SampleRecords.Create(Records, partitions: 2, withTimestamps: false);

        // Our producer stamps CreateTime itself: the expected timestamp is the one it reported.
        var sent = new List<SampleRecord>();
        var offsets = new List<long>();
        await using (var producer = new KafkaProducer<byte[]?, byte[]?>(Sims.OurProducer(sim, Enum.Parse<OurCompression>(codec, ignoreCase: true))))
        {
            var deliveries = new List<ValueTask<DeliveryResult>>();
            foreach (SampleRecord r in records) deliveries.Add(producer.ProduceAsync(topic, r.Partition, r.Key, r.Value, OurClients.Headers(r)));
            for (int i = 0; i < records.Count; i++)
            {
                DeliveryResult result = await deliveries[i];
                sent.Add(records[i] with { TimestampMs = result.Timestamp.ToUnixTimeMilliseconds() });
                offsets.Add(result.Offset);
            }
        }

        using Rd.IConsumer<byte[]?, byte[]?> consumer = Librdkafka.ConsumerBuilder(Librdkafka.ConsumerConfig(sim), output).Build();
        consumer.Assign([new Rd.TopicPartitionOffset(topic, 0, Rd.Offset.Beginning), new Rd.TopicPartitionOffset(topic, 1, Rd.Offset.Beginning)]);
        var read = await Librdkafka.ConsumeAsync(consumer, Records);

        AssertStoredWith(sim, topic, codec);
        RecordAssert.SamePerPartition(sent, offsets, read.Select(r => (Librdkafka.ToSample(r), r.Offset.Value)).ToList());
    }

    /// <summary>The writer really used the codec: every stored batch says so (bits 0-2 of the big-endian attributes at bytes 21-22 of a v2 batch).</summary>
    private static void AssertStoredWith(SimulatedCluster sim, string topic, string codec)
    {
        int expected = (int)Enum.Parse<OurCompression>(codec, ignoreCase: true);
        var batches = sim.ReadBatches(topic, 0).Concat(sim.ReadBatches(topic, 1)).ToList();
        Assert.NotEmpty(batches);
        Assert.All(batches, b => Assert.Equal(expected, b.Span[22] & 0x7));
    }
}
