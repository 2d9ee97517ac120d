using System.Text;
using KafkaNative.Producer;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Compression;
using KafkaNative.Protocol.Records;
using static KafkaNative.Integration.Tests.Suite.SuiteClients;

namespace KafkaNative.Integration.Tests.Suite;

/// <summary>Records: codecs, keys, headers, timestamps, size limits, idempotence.</summary>
public abstract partial class BrokerSuite
{
    // Kafka's default max.message.bytes: 1 MiB plus the 12-byte log overhead of a batch.
    private const int MaxMessageBytes = 1_048_588;

    [SkippableTheory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task EveryCodecRoundTrips(CompressionType codec)
    {
        RequireBroker();
        string topic = await CreateTopicAsync(Broker, "codec");
        await using (var producer = new KafkaProducer<string?, byte[]?>(ProducerOptionsFor(Broker, codec)))
        {
            for (int i = 0; i < 40; i++)
                await producer.EnqueueAsync(topic, $"key-{i}", Encoding.UTF8.GetBytes($"{codec} value {i} {new string('z', i * 10)}"));
            await producer.FlushAsync();
        }

        var records = await ReadAsync(Broker, topic, 40);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"key-{i}"), records.Select(r => r.Key));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), records.Select(r => r.Offset));
        Assert.Equal($"{codec} value 39 {new string('z', 390)}", Encoding.UTF8.GetString(records[^1].Value!));
    }

    [SkippableFact]
    public async Task KeysHeadersAndTimestampsRoundTrip()
    {
        RequireBroker();
        string topic = await CreateTopicAsync(Broker, "fields");
        DateTimeOffset before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await using (var producer = new KafkaProducer<string?, byte[]?>(ProducerOptionsFor(Broker)))
        {
            await producer.ProduceAsync(topic, null, "no key"u8.ToArray(), [new RecordHeader("trace", "t-1"u8.ToArray()), new RecordHeader("nothing", null)]);
            await producer.ProduceAsync(topic, "", []);
            await producer.ProduceAsync(topic, "tombstone", null);
            await producer.ProduceAsync(topic, "ünïcode-key", "v"u8.ToArray(), [new RecordHeader("dup", "1"u8.ToArray()), new RecordHeader("dup", "2"u8.ToArray())]);
        }
        DateTimeOffset after = DateTimeOffset.UtcNow.AddSeconds(1);

        var records = await ReadAsync(Broker, topic, 4);
        Assert.Null(records[0].Key);
        Assert.Equal("no key", Encoding.UTF8.GetString(records[0].Value!));
        Assert.Equal(["trace", "nothing"], records[0].Headers.Select(h => h.Key));
        Assert.Equal("t-1"u8.ToArray(), records[0].Headers[0].Value);
        Assert.Null(records[0].Headers[1].Value);
        Assert.Equal("", records[1].Key);
        Assert.Empty(records[1].Value!);
        Assert.Null(records[2].Value);
        Assert.Equal("ünïcode-key", records[3].Key);
        Assert.Equal(["1", "2"], records[3].Headers.Select(h => Encoding.UTF8.GetString(h.Value!.Value.Span)));
        Assert.All(records, r => Assert.InRange(r.Timestamp, before, after));
    }

    [SkippableFact]
    public async Task ARecordAtTheSizeLimitIsStoredAndOneOverIsRefused()
    {
        RequireBroker();
        string topic = await CreateTopicAsync(Broker, "large");
        ProducerOptions options = ProducerOptionsFor(Broker);
        options.MaxRecordSize = 2 * MaxMessageBytes; // let the broker, not the producer, judge the size
        byte[] fits = new byte[MaxMessageBytes - 200];
        Random.Shared.NextBytes(fits);
        await using (var producer = new KafkaProducer<string?, byte[]?>(options))
        {
            await producer.ProduceAsync(topic, "fits", fits);
            var refused = await Assert.ThrowsAsync<ProduceException>(async () => await producer.ProduceAsync(topic, "over", new byte[MaxMessageBytes]));
            Assert.Equal(ErrorCode.MessageTooLarge, refused.ErrorCode);
            await producer.ProduceAsync(topic, "after", "small"u8.ToArray());
        }

        var records = await ReadAsync(Broker, topic, 2);
        Assert.Equal(fits, records[0].Value);
        Assert.Equal("after", records[1].Key);
    }

    [SkippableFact]
    public async Task AnIdempotentProducerWritesEachRecordOnceInOrder()
    {
        RequireBroker();
        string topic = await CreateTopicAsync(Broker, "idempotent");
        await using (var producer = new KafkaProducer<string?, byte[]?>(ProducerOptionsFor(Broker, idempotent: true)))
        {
            var deliveries = Enumerable.Range(0, 300).Select(i => producer.ProduceAsync(topic, 0, $"k{i % 7}", Encoding.UTF8.GetBytes(i.ToString())).AsTask()).ToList();
            await Task.WhenAll(deliveries);
            Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), deliveries.Select(d => d.Result.Offset).Order());
        }

        var records = await ReadAsync(Broker, topic, 300);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => i.ToString()), records.Select(r => Encoding.UTF8.GetString(r.Value!)));
    }

    [SkippableFact]
    public async Task NothingIsLostOrDuplicatedAcrossALeaderRestart()
    {
        RequireBroker();
        Skip.If(Broker.CannotRestart is not null, $"broker restart in {Broker.Mode} mode: {Broker.CannotRestart}");
        string topic = await CreateTopicAsync(Broker, "restart");
        await using (var producer = new KafkaProducer<string?, byte[]?>(ProducerOptionsFor(Broker)))
        {
            for (int i = 0; i < 50; i++) await producer.EnqueueAsync(topic, "k", Encoding.UTF8.GetBytes(i.ToString()));
            await producer.FlushAsync();
            await Broker.RestartLeaderAsync(topic, 0);
            for (int i = 50; i < 100; i++) await producer.EnqueueAsync(topic, "k", Encoding.UTF8.GetBytes(i.ToString()));
            await producer.FlushAsync();
        }

        var records = await ReadAsync(Broker, topic, 100);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i.ToString()), records.Select(r => Encoding.UTF8.GetString(r.Value!)));
    }
}
