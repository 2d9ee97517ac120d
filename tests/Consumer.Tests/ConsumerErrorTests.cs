using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;
using KafkaNative.Protocol.Records;
using KafkaNative.Sim;
using static KafkaNative.Consumer.Tests.SimHelpers;

namespace KafkaNative.Consumer.Tests;

/// <summary>Corrupt records, unreachable clusters and missing topics reach the application instead of ending or stalling it silently.</summary>
public class ConsumerErrorTests
{
    private static readonly TimeSpan HangBound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ChecksumMismatch_ThrowsANonRetriableErrorWithTheRawBatch_AndReadingAgainContinuesAfterIt()
    {
        await using SimulatedCluster sim = await StartAsync(brokers: 1);
        byte[] stored = await ProduceThreeBatchesAndCorruptTheSecondAsync(sim, "crc");
        await using var consumer = new KafkaConsumer<string?, string?>(Options(sim));
        consumer.Assign([new TopicPartitionOffset("crc", 0, 0)]);
        using var cts = new CancellationTokenSource(Generous);
        var offsets = new List<long>();
        var error = await Assert.ThrowsAsync<KafkaCorruptRecordException>(async () =>
        {
            await foreach (var message in consumer.ConsumeAsync(cts.Token)) offsets.Add(message.Offset);
        });
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), offsets);
        Assert.False(error.IsRetriable);
        Assert.Equal(ErrorCode.CorruptMessage, error.ErrorCode);
        Assert.Equal(new TopicPartition("crc", 0), error.TopicPartition);
        Assert.Equal(50, error.Offset);
        Assert.Equal(100, error.NextOffset);
        Assert.Equal(stored, error.RawBatch);

        await foreach (var message in consumer.ConsumeAsync(cts.Token))
        {
            Assert.Equal(100, message.Offset);
            break;
        }
    }

    [Fact]
    public async Task CorruptBatch_WithSkip_IsSkippedWithoutEndingTheLoop()
    {
        await using SimulatedCluster sim = await StartAsync(brokers: 1);
        await ProduceThreeBatchesAndCorruptTheSecondAsync(sim, "crc-skip");
        ConsumerOptions options = Options(sim);
        options.CorruptRecordHandling = CorruptRecordHandling.Skip;
        await using var consumer = new KafkaConsumer<string?, string?>(options);
        consumer.Assign([new TopicPartitionOffset("crc-skip", 0, 0)]);
        using var cts = new CancellationTokenSource(Generous);
        var offsets = new List<long>();
        await foreach (var message in consumer.ConsumeAsync(cts.Token))
        {
            offsets.Add(message.Offset);
            if (message.Offset == 149) break;
        }
        Assert.Equal(Enumerable.Range(0, 50).Concat(Enumerable.Range(100, 50)).Select(i => (long)i), offsets);
    }

    [Fact]
    public async Task UndecodableRecordsUnderAValidChecksum_AreACorruptRecord()
    {
        await using SimulatedCluster sim = await StartAsync(brokers: 1);
        await sim.CreateTopicAsync("garbled", 1, 1);
        await using var client = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        using var builder = new RecordBatchBuilder();
        builder.Append(0, Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("v"));
        byte[] batch = builder.Build().ToArray();
        const int RecordsStart = 61;
        batch[RecordsStart] = 0x01;   // the first record's length, a zigzag varint: -1
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(17), Crc32C.Compute(batch.AsSpan(21)));
        using (BrokerLease lease = await client.AcquireLeaderAsync("garbled", 0))
        {
            ProduceResponse response = await lease.Broker.SendAsync<ProduceRequest, ProduceResponse>(new ProduceRequest
            {
                Acks = -1,
                TimeoutMs = 10_000,
                TopicData = [new ProduceRequest.TopicProduceData { Name = "garbled", PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }],
            }, new SendOptions(MaxVersion: 9));
            Assert.Equal(0, response.Responses[0].PartitionResponses[0].ErrorCode);
        }
        await ProduceAsync(client, "garbled", 0, 1, 2);

        await using var consumer = new KafkaConsumer<string?, string?>(Options(sim));
        consumer.Assign([new TopicPartitionOffset("garbled", 0, 0)]);
        using var cts = new CancellationTokenSource(Generous);
        var error = await Assert.ThrowsAsync<KafkaCorruptRecordException>(async () =>
        {
            await foreach (var _ in consumer.ConsumeAsync(cts.Token)) { }
        });
        Assert.Equal(0, error.Offset);
        Assert.Equal(1, error.NextOffset);
        // The broker set the base offset and leader epoch (outside the checksum); the rest is what was produced.
        Assert.Equal(batch.Length, error.RawBatch!.Length);
        Assert.Equal(batch[21..], error.RawBatch[21..]);
        await foreach (var message in consumer.ConsumeAsync(cts.Token))
        {
            Assert.Equal("1", message.Value);
            break;
        }
    }

    [Fact]
    public async Task ValueThatFailsToDeserialize_CarriesItsRawBytes_OrIsSkipped()
    {
        await using SimulatedCluster sim = await StartAsync(brokers: 1);
        await sim.CreateTopicAsync("deser", 1, 1);
        await using var client = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        await ProduceAsync(client, "deser", 0, 0, 3, "v");   // values v0, v1, v2; v1 is refused
        var refuseV1 = new RefusingDeserializer("v1");

        await using (var throwing = new KafkaConsumer<string?, string>(Options(sim), valueDeserializer: refuseV1))
        {
            throwing.Assign([new TopicPartitionOffset("deser", 0, 0)]);
            using var cts = new CancellationTokenSource(Generous);
            var error = await Assert.ThrowsAsync<KafkaCorruptRecordException>(async () =>
            {
                await foreach (var _ in throwing.ConsumeAsync(cts.Token)) { }
            });
            Assert.Equal(1, error.Offset);
            Assert.Equal("v1"u8.ToArray(), error.RawValue);
            Assert.Equal("k1"u8.ToArray(), error.RawKey);
            Assert.IsType<FormatException>(error.InnerException);
        }

        ConsumerOptions skipping = Options(sim);
        skipping.CorruptRecordHandling = CorruptRecordHandling.Skip;
        await using var consumer = new KafkaConsumer<string?, string>(skipping, valueDeserializer: refuseV1);
        consumer.Assign([new TopicPartitionOffset("deser", 0, 0)]);
        using var timeout = new CancellationTokenSource(Generous);
        var values = new List<string>();
        await foreach (var message in consumer.ConsumeAsync(timeout.Token))
        {
            values.Add(message.Value);
            if (message.Offset == 2) break;
        }
        Assert.Equal(["v0", "v2"], values);
    }

    [Fact]
    public async Task NoBrokerReachable_TheConsumeLoopThrows_ForAssignAndForSubscribe()
    {
        var options = new ConsumerOptions { BootstrapServers = "127.0.0.1:1", ConnectTimeout = TimeSpan.FromSeconds(2), RetryBackoff = TimeSpan.FromMilliseconds(50) };
        await using (var assigned = new KafkaConsumer<string?, string?>(options))
        {
            assigned.Assign([new TopicPartition("t", 0)]);
            using var cts = new CancellationTokenSource(HangBound);
            await Assert.ThrowsAsync<KafkaConnectionException>(async () =>
            {
                await foreach (var _ in assigned.ConsumeAsync(cts.Token)) { }
            });
        }
        options.GroupId = "g-unreachable";
        await using var subscribed = new KafkaConsumer<string?, string?>(options);
        subscribed.Subscribe(["t"]);
        using var timeout = new CancellationTokenSource(HangBound);
        await Assert.ThrowsAsync<KafkaConnectionException>(async () =>
        {
            await foreach (var _ in subscribed.ConsumeAsync(timeout.Token)) { }
        });
    }

    [Fact]
    public async Task AssignedTopicMissing_ThrowsUnknownTopicAfterThePropagationTime_ThenReadsItOnceCreated()
    {
        await using SimulatedCluster sim = await StartAsync(brokers: 1);
        ConsumerOptions options = Options(sim);
        options.AllowAutoTopicCreation = false;
        options.TopicMetadataPropagationMax = TimeSpan.FromSeconds(1);
        await using var consumer = new KafkaConsumer<string?, string?>(options);
        consumer.Assign([new TopicPartitionOffset("absent", 0, TopicPartitionOffset.Beginning)]);
        using var cts = new CancellationTokenSource(HangBound);
        var error = await Assert.ThrowsAsync<KafkaConsumeException>(async () =>
        {
            await foreach (var _ in consumer.ConsumeAsync(cts.Token)) { }
        });
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, error.ErrorCode);
        Assert.Equal(new TopicPartition("absent", 0), error.TopicPartition);

        await sim.CreateTopicAsync("absent", 1, 1);
        await using var client = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        await ProduceAsync(client, "absent", 0, 0, 1);
        using var timeout = new CancellationTokenSource(Generous);
        await foreach (var message in consumer.ConsumeAsync(timeout.Token))
        {
            Assert.Equal(0, message.Offset);
            break;
        }
    }

    [Fact]
    public async Task SubscribedTopicMissing_ThrowsUnknownTopicAfterThePropagationTime_ThenReadsItOnceCreated()
    {
        await using SimulatedCluster sim = await StartAsync(brokers: 1);
        ConsumerOptions options = Options(sim, "g-absent");
        options.AllowAutoTopicCreation = false;
        options.TopicMetadataPropagationMax = TimeSpan.FromSeconds(1);
        await using var consumer = new KafkaConsumer<string?, string?>(options);
        consumer.Subscribe(["absent-sub"]);
        using var cts = new CancellationTokenSource(HangBound);
        var error = await Assert.ThrowsAsync<KafkaConsumeException>(async () =>
        {
            await foreach (var _ in consumer.ConsumeAsync(cts.Token)) { }
        });
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, error.ErrorCode);
        Assert.Contains("absent-sub", error.Message);

        await sim.CreateTopicAsync("absent-sub", 2, 1);
        await using var client = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        await ProduceAsync(client, "absent-sub", 1, 0, 1);
        using var timeout = new CancellationTokenSource(Generous);
        await foreach (var message in consumer.ConsumeAsync(timeout.Token))
        {
            Assert.Equal(new TopicPartition("absent-sub", 1), message.TopicPartition);
            break;
        }
    }

    [Fact]
    public async Task FeederLoopFailingUnexpectedly_TheLoopGetsTheError_AndDisposeStillCompletes()
    {
        await using SimulatedCluster sim = await StartAsync(brokers: 1);
        await sim.CreateTopicAsync("boom", 1, 1);
        await using var client = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        await ProduceAsync(client, "boom", 0, 0, 1);
        var consumer = new KafkaConsumer<string?, string>(Options(sim), valueDeserializer: new ExhaustedDeserializer());
        consumer.Assign([new TopicPartitionOffset("boom", 0, 0)]);
        using var cts = new CancellationTokenSource(HangBound);
        var error = await Assert.ThrowsAsync<KafkaConsumeException>(async () =>
        {
            await foreach (var _ in consumer.ConsumeAsync(cts.Token)) { }
        });
        Assert.IsType<OutOfMemoryException>(error.InnerException);
        Assert.Equal(new TopicPartition("boom", 0), error.TopicPartition);
        await consumer.DisposeAsync().AsTask().WaitAsync(HangBound);
    }

    /// <summary>Produces offsets 0-149 in three stored batches, then flips a byte inside the second one on the broker, as a disk fault would.</summary>
    private static async Task<byte[]> ProduceThreeBatchesAndCorruptTheSecondAsync(SimulatedCluster sim, string topic)
    {
        await sim.CreateTopicAsync(topic, 1, 1);
        await using var client = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        await ProduceAsync(client, topic, 0, 0, 150);
        IReadOnlyList<ReadOnlyMemory<byte>> batches = sim.ReadBatches(topic, 0);
        Assert.Equal(3, batches.Count);
        Assert.True(MemoryMarshal.TryGetArray(batches[1], out ArraySegment<byte> stored));
        stored.Array![stored.Offset + stored.Count - 1] ^= 0xFF;
        return batches[1].ToArray();
    }

    private sealed class RefusingDeserializer(string refused) : IDeserializer<string>
    {
        public string Deserialize(ReadOnlySpan<byte> data, bool isNull, in DeserializationContext context)
        {
            string value = Encoding.UTF8.GetString(data);
            return value == refused ? throw new FormatException($"{value} is not welcome") : value;
        }
    }

    /// <summary>A deserializer that fails as nothing in the consumer expects, to exercise the loops' supervision.</summary>
    private sealed class ExhaustedDeserializer : IDeserializer<string>
    {
        public string Deserialize(ReadOnlySpan<byte> data, bool isNull, in DeserializationContext context) =>
            throw new OutOfMemoryException("the test's deserializer ran out of memory");
    }
}
