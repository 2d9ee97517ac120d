using Confluent.Kafka;
using Rd = Confluent.Kafka;
using KafkaNative.Sim;
using Xunit.Abstractions;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// librdkafka 2.16 through Confluent.Kafka, tuned as <see cref="Sims"/> tunes ours: configs for the
/// embedded cluster, its log routed to the test output, and conversions to <see cref="SampleRecord"/>.
/// </summary>
internal static class Librdkafka
{
    public static ProducerConfig ProducerConfig(SimulatedCluster sim, Rd.CompressionType codec = Rd.CompressionType.None, bool idempotent = true) => new()
    {
        BootstrapServers = sim.BootstrapServers,
        ClientId = "librdkafka-interop",
        CompressionType = codec,
        EnableIdempotence = idempotent,
        Acks = Rd.Acks.All,
        LingerMs = 5,
        MessageTimeoutMs = 90_000,
        RetryBackoffMs = 50,
        ReconnectBackoffMaxMs = 1000,
        TopicMetadataRefreshIntervalMs = 1000,
    };

    public static ConsumerConfig ConsumerConfig(SimulatedCluster sim, string? group = null, Rd.PartitionAssignmentStrategy strategy = Rd.PartitionAssignmentStrategy.Range) => new()
    {
        BootstrapServers = sim.BootstrapServers,
        ClientId = "librdkafka-interop",
        GroupId = group ?? "unused",
        AutoOffsetReset = Rd.AutoOffsetReset.Earliest,
        PartitionAssignmentStrategy = strategy,
        SessionTimeoutMs = 6000,
        HeartbeatIntervalMs = 500,
        FetchWaitMaxMs = 100,
        AutoCommitIntervalMs = 300,
        EnablePartitionEof = false,
        ReconnectBackoffMaxMs = 1000,
        TopicMetadataRefreshIntervalMs = 1000,
    };

    public static AdminClientConfig AdminConfig(SimulatedCluster sim) => new() { BootstrapServers = sim.BootstrapServers, ClientId = "librdkafka-interop" };

    public static IProducer<byte[]?, byte[]?> Producer(ProducerConfig config, ITestOutputHelper output) =>
        new ProducerBuilder<byte[]?, byte[]?>(config).SetLogHandler((_, m) => Log(output, m)).Build();

    public static IAdminClient Admin(SimulatedCluster sim, ITestOutputHelper output) =>
        new AdminClientBuilder(AdminConfig(sim)).SetLogHandler((_, m) => Log(output, m)).Build();

    public static ConsumerBuilder<byte[]?, byte[]?> ConsumerBuilder(ConsumerConfig config, ITestOutputHelper output) =>
        new ConsumerBuilder<byte[]?, byte[]?>(config).SetLogHandler((_, m) => Log(output, m)).SetErrorHandler((_, e) => Log(output, e.Reason));

    public static Rd.Message<byte[]?, byte[]?> Message(SampleRecord record)
    {
        var headers = new Headers();
        foreach (Header h in record.Headers) headers.Add(h.Key, h.Value);
        return new Rd.Message<byte[]?, byte[]?>
        {
            Key = record.Key,
            Value = record.Value,
            Headers = headers,
            Timestamp = new Timestamp(record.TimestampMs, Rd.TimestampType.CreateTime),
        };
    }

    public static SampleRecord ToSample(Rd.ConsumeResult<byte[]?, byte[]?> result)
    {
        Assert.Equal(Rd.TimestampType.CreateTime, result.Message.Timestamp.Type);
        return new SampleRecord(result.Partition.Value, result.Message.Key, result.Message.Value,
            result.Message.Headers?.Select(h => new Header(h.Key, h.GetValueBytes())).ToList() ?? [],
            result.Message.Timestamp.UnixTimestampMs);
    }

    /// <summary>Reads <paramref name="count"/> records from <paramref name="consumer"/> on a thread of its own (Consume blocks), failing past the deadline.</summary>
    public static Task<List<Rd.ConsumeResult<byte[]?, byte[]?>>> ConsumeAsync(IConsumer<byte[]?, byte[]?> consumer, int count, TimeSpan? timeout = null) =>
        Task.Run(() =>
        {
            var results = new List<Rd.ConsumeResult<byte[]?, byte[]?>>(count);
            DateTime deadline = DateTime.UtcNow + (timeout ?? Sims.Generous);
            while (results.Count < count)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"librdkafka read {results.Count} of {count} records.");
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result) results.Add(result);
            }
            return results;
        });

    private static void Log(ITestOutputHelper output, string line)
    {
        // librdkafka's threads may log after the test ended, when the output helper refuses writes.
        try { output.WriteLine($"[librdkafka] {line}"); } catch (InvalidOperationException) { }
    }

    private static void Log(ITestOutputHelper output, LogMessage m) => Log(output, $"{m.Level} {m.Facility}: {m.Message}");
}
