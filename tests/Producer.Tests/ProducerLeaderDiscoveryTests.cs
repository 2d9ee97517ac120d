using System.Collections.Concurrent;
using KafkaNative.Protocol;
using KafkaNative.Sim;

namespace KafkaNative.Producer.Tests;

/// <summary>
/// KIP-951: a Produce answered NOT_LEADER_OR_FOLLOWER names the new leader (Produce v10+), and the producer
/// re-routes there on that alone. Leaders moved mid-stream cost no Metadata request, and the log holds every
/// record once, in order per key.
/// </summary>
public class ProducerLeaderDiscoveryTests
{
    private const string Topic = "moving";
    private const int Partitions = 3;

    [Fact]
    public async Task Leader_moves_mid_stream_cost_no_metadata_request_and_lose_or_duplicate_nothing()
    {
        await using var cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3, Seed = 11 });
        await cluster.CreateTopicAsync(Topic, Partitions);
        var log = new LogEventCounter();
        var options = new ProducerOptions
        {
            LoggerFactory = log,
            BootstrapServers = cluster.BootstrapServers,
            Linger = TimeSpan.FromMilliseconds(2),
            DeliveryTimeout = TimeSpan.FromSeconds(60),
        };
        await using var producer = new KafkaProducer<string, string>(options);
        // Every partition's leader known and a producer id in hand before counting.
        for (int p = 0; p < Partitions; p++) await producer.ProduceAsync(Topic, p, "warm", $"warm-{p}");
        long metadataBefore = MetadataRequests(cluster);

        const int records = 3_000;
        var acknowledged = new ConcurrentDictionary<int, DeliveryResult>();
        var failed = new ConcurrentDictionary<int, Exception>();
        using var inFlight = new SemaphoreSlim(200);
        var sends = new List<Task>();
        int moves = 0;
        for (int i = 0; i < records; i++)
        {
            if (i > 0 && i % 750 == 0)
            {
                // Mid-stream: up to 200 records are on their way when every partition's leader moves.
                for (int p = 0; p < Partitions; p++) await cluster.MoveLeaderAsync(Topic, p, (cluster.LeaderOf(Topic, p) + 1) % 3);
                moves += Partitions;
            }
            await inFlight.WaitAsync();
            sends.Add(AwaitDeliveryAsync(i, producer.ProduceAsync(Topic, $"key-{i % 30}", $"{i:D8}")));
        }
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(120));

        Assert.Empty(failed);
        Assert.Equal(records, acknowledged.Count);
        Assert.Equal(9, moves);
        Assert.Equal(metadataBefore, MetadataRequests(cluster));
        // The moves were met: a former leader refused batches and named the new one (else this test proves nothing).
        Assert.True(log.Count(LeaderHintApplied) > 0, "no leader hint was applied");

        var stored = ClusterLog.ReadAll(cluster, Topic, Partitions);
        var positions = new Dictionary<int, (int Partition, long Offset)>();
        foreach (var (partition, values) in stored)
            foreach (var (offset, value) in values.Where(r => !r.Value.StartsWith("warm", StringComparison.Ordinal)))
                Assert.True(positions.TryAdd(int.Parse(value), (partition, offset)), $"{value} is in the log twice");
        Assert.Equal(records, positions.Count);
        foreach (var (index, result) in acknowledged)
            Assert.Equal((result.Partition, result.Offset), positions[index]);
        foreach (var (partition, values) in stored)
            foreach (var key in values.Where(r => !r.Value.StartsWith("warm", StringComparison.Ordinal)).Select(r => int.Parse(r.Value)).GroupBy(i => i % 30))
                Assert.True(key.Order().SequenceEqual(key), $"key-{key.Key} out of order in partition {partition}\n{ClusterLog.DescribeBatches(cluster, Topic, partition)}");

        async Task AwaitDeliveryAsync(int index, ValueTask<DeliveryResult> delivery)
        {
            try
            {
                acknowledged[index] = await delivery;
            }
            catch (ProduceException e)
            {
                failed[index] = e;
            }
            finally
            {
                inFlight.Release();
            }
        }
    }

    /// <summary>The client's log event id for an applied leader hint (KafkaNative.Client.Diagnostics.Log).</summary>
    internal const int LeaderHintApplied = 13;

    private static long MetadataRequests(SimulatedCluster cluster) => Enumerable.Range(0, 3).Sum(b => cluster.RequestCount(b, ApiKey.Metadata));
}
