using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Sim;
using Xunit.Abstractions;
using static KafkaNative.Consumer.Tests.SimHelpers;

namespace KafkaNative.Consumer.Tests;

/// <summary>Fetch sessions (KIP-227) of our consumer against the Sim, counted by the Sim's broker.</summary>
public sealed class FetchSessionConsumerTests(ITestOutputHelper output)
{
    private const int Broker = 0;

    private static Task<SimulatedCluster> StartOneBrokerAsync(int slots = 1000) =>
        SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1, FetchSessionCacheSlots = slots });

    /// <summary>Reads until <paramref name="seen"/> holds <paramref name="count"/> records, failing on any record read twice.</summary>
    private static Task ConsumeAsync(KafkaConsumer<string?, string?> consumer, HashSet<(int Partition, long Offset)> seen, int count, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        if (seen.Count >= count) return;
        await foreach (ConsumeResult<string?, string?> message in consumer.ConsumeAsync(cancellationToken))
        {
            lock (seen) Assert.True(seen.Add((message.Partition, message.Offset)), $"{message.Partition}@{message.Offset} read twice");
            if (seen.Count >= count) return;
        }
    }, cancellationToken);

    /// <summary>
    /// The steady state of a consumer of 1,000 partitions with little new data: after the first records are
    /// read, 10 more trickle in (to partitions 7, 107, ...) one by one, while the fetches go on. Returns (fetches, request bytes) in that window.
    /// </summary>
    private async Task<(long Fetches, long Bytes)> SteadyStateAsync(SimulatedCluster sim, KafkaCluster producer, string topic, bool sessions, int initial)
    {
        const int Partitions = 1000;
        ConsumerOptions options = Options(sim);
        options.FetchSessions = sessions;
        await using var consumer = new KafkaConsumer<string?, string?>(options);
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(topic, p, TopicPartitionOffset.Beginning)));
        using var cts = new CancellationTokenSource(Generous);
        var seen = new HashSet<(int, long)>();
        await ConsumeAsync(consumer, seen, initial, cts.Token);

        long fetches = sim.RequestCount(Broker, ApiKey.Fetch), bytes = sim.RequestBytes(Broker, ApiKey.Fetch);
        Task reading = ConsumeAsync(consumer, seen, initial + 10, cts.Token);
        for (int i = 0; i < 10; i++)
        {
            await ProduceAsync(producer, topic, 100 * i + 7, 0, 1);
            long before = sim.RequestCount(Broker, ApiKey.Fetch);
            await Eventually.TrueAsync(() => sim.RequestCount(Broker, ApiKey.Fetch) >= before + 2, "two more fetches");
        }
        await reading;
        fetches = sim.RequestCount(Broker, ApiKey.Fetch) - fetches;
        bytes = sim.RequestBytes(Broker, ApiKey.Fetch) - bytes;
        output.WriteLine($"sessions {(sessions ? "on" : "off")}: {fetches} fetches, {bytes} request bytes, {bytes / fetches} bytes per fetch");
        return (fetches, bytes);
    }

    [Fact]
    public async Task A_consumer_of_1000_partitions_fetches_incrementally_with_far_smaller_requests_and_closes_its_session()
    {
        await using SimulatedCluster sim = await StartOneBrokerAsync();
        await sim.CreateTopicAsync("many", 1000, 1);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        for (int p = 0; p < 10; p++) await ProduceAsync(producer, "many", p * 100, 0, 1);

        (long fetchesOff, long bytesOff) = await SteadyStateAsync(sim, producer, "many", sessions: false, initial: 10);
        FetchSessionStatistics off = sim.FetchSessionStats();
        Assert.Equal(0, off.Full + off.Incremental);
        Assert.True(off.Sessionless >= fetchesOff);

        (long fetchesOn, long bytesOn) = await SteadyStateAsync(sim, producer, "many", sessions: true, initial: 20);
        FetchSessionStatistics on = sim.FetchSessionStats();
        Assert.Equal(1, on.Full);
        Assert.True(on.Incremental >= fetchesOn - 1, $"{on.Incremental} incremental fetches of {fetchesOn}");
        Assert.Equal(0, on.SessionErrors);
        Assert.True(bytesOn / fetchesOn * 10 < bytesOff / fetchesOff, $"{bytesOn / fetchesOn} bytes per fetch with sessions, {bytesOff / fetchesOff} without");
        // Disposing the consumer closed its session: a fetch with epoch -1, counted as closed and sessionless.
        Assert.Equal(1, on.Closed);
    }

    [Fact]
    public async Task An_evicted_session_falls_back_to_a_full_fetch_and_every_record_is_read_once()
    {
        await using SimulatedCluster sim = await StartOneBrokerAsync(slots: 1);
        await sim.CreateTopicAsync("evicted", 8, 1);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        for (int p = 0; p < 8; p++) await ProduceAsync(producer, "evicted", p, 0, 100);
        TopicPartitionOffset[] all = Enumerable.Range(0, 8).Select(p => new TopicPartitionOffset("evicted", p, TopicPartitionOffset.Beginning)).ToArray();
        using var cts = new CancellationTokenSource(Generous);

        await using var first = new KafkaConsumer<string?, string?>(Options(sim));
        first.Assign(all);
        var firstSeen = new HashSet<(int, long)>();
        await ConsumeAsync(first, firstSeen, 800, cts.Token);
        await Eventually.TrueAsync(() => sim.FetchSessionStats().Incremental > 0, "the first consumer's incremental fetches");

        // A second consumer's session takes the only slot: the first one's next fetch is refused and falls back.
        await using var second = new KafkaConsumer<string?, string?>(Options(sim));
        second.Assign(all);
        var secondSeen = new HashSet<(int, long)>();
        Task secondReading = ConsumeAsync(second, secondSeen, 1600, cts.Token);
        Task firstReading = ConsumeAsync(first, firstSeen, 1600, cts.Token);
        await Eventually.TrueAsync(() => sim.FetchSessionStats() is { Evicted: > 0, SessionErrors: > 0 }, () => $"an eviction the first consumer notices ({sim.FetchSessionStats()})");
        for (int p = 0; p < 8; p++) await ProduceAsync(producer, "evicted", p, 100, 200);
        await Task.WhenAll(firstReading, secondReading);

        Assert.Equal(1600, firstSeen.Count);
        Assert.Equal(1600, secondSeen.Count);
        output.WriteLine($"{sim.FetchSessionStats()}");
    }

    [Fact]
    public async Task A_consumer_with_sessions_off_sends_full_fetches()
    {
        await using SimulatedCluster sim = await StartOneBrokerAsync();
        await sim.CreateTopicAsync("full", 4, 1);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        for (int p = 0; p < 4; p++) await ProduceAsync(producer, "full", p, 0, 50);
        ConsumerOptions options = Options(sim);
        options.FetchSessions = false;
        await using (var consumer = new KafkaConsumer<string?, string?>(options))
        {
            consumer.Assign(Enumerable.Range(0, 4).Select(p => new TopicPartitionOffset("full", p, TopicPartitionOffset.Beginning)));
            using var cts = new CancellationTokenSource(Generous);
            var seen = new HashSet<(int, long)>();
            await ConsumeAsync(consumer, seen, 200, cts.Token);
            await Eventually.TrueAsync(() => sim.RequestCount(Broker, ApiKey.Fetch) >= 5, "a few fetches");
        }
        FetchSessionStatistics stats = sim.FetchSessionStats();
        Assert.Equal(0, stats.Full + stats.Incremental + stats.Closed + stats.SessionErrors);
        Assert.Equal(sim.RequestCount(Broker, ApiKey.Fetch), stats.Sessionless);
    }
}
