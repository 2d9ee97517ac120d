using System.Collections.Concurrent;
using KafkaNative.Protocol;
using KafkaNative.Sim;

namespace KafkaNative.Producer.Tests;

/// <summary>
/// The producer under the faults of the talk: brokers stopped and restarted, leaders moved, latency
/// above the request timeout, dropped connections, injected retriable errors. With acks=all and
/// idempotence, whatever the faults, the log must agree with what callers were told.
/// </summary>
public class ProducerFaultTests
{
    private const string Topic = "storm";
    private const int Partitions = 6;

    public static TheoryData<string> Faults => ["stop-and-restart", "move-leaders", "latency-above-timeout", "drop-connections", "retriable-errors"];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task AcknowledgedRecordsSurviveFaultsExactlyOnceAndInOrder(string fault)
    {
        await using var cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3, Seed = 7 });
        await cluster.CreateTopicAsync(Topic, Partitions);
        var options = new ProducerOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            Linger = TimeSpan.FromMilliseconds(2),
            RequestTimeout = TimeSpan.FromSeconds(1),
            DeliveryTimeout = TimeSpan.FromSeconds(40),
            RetryBackoff = TimeSpan.FromMilliseconds(20),
            RetryBackoffMax = TimeSpan.FromMilliseconds(300),
            MetadataMinRefreshInterval = TimeSpan.FromMilliseconds(50),
            CircuitBreakerBreak = TimeSpan.FromMilliseconds(500),
        };
        await using var producer = new KafkaProducer<string, string>(options);

        const int records = 3_000;
        var acknowledged = new ConcurrentDictionary<int, DeliveryResult>();
        var failed = new ConcurrentDictionary<int, Exception>();
        using var inFlight = new SemaphoreSlim(300);
        var sends = new List<Task>();
        Task chaos = Task.CompletedTask;
        for (int i = 0; i < records; i++)
        {
            if (i == records / 5) chaos = InjectAsync(cluster, fault);
            // Spread the records over about three seconds so the faults hit them mid-stream.
            if (i % 20 == 0) await Task.Delay(20);
            await inFlight.WaitAsync();
            // Called here, one after another, so the producer receives the records in index order: the
            // per-key order checked below is the order of the calls. (Calls from concurrent Task.Run
            // bodies have no order: the thread pool may run a later one first.)
            sends.Add(AwaitDeliveryAsync(i, producer.ProduceAsync(Topic, $"key-{i % 50}", $"{i:D8}")));
        }
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(120));
        await chaos;

        // Every record got an answer, one or the other.
        Assert.Equal(records, acknowledged.Count + failed.Count);
        Assert.True(acknowledged.Count >= records * 0.9, $"only {acknowledged.Count} of {records} acknowledged; first failure: {failed.Values.FirstOrDefault()}");

        var log = ClusterLog.ReadAll(cluster, Topic, Partitions);
        var positions = new Dictionary<int, (int Partition, long Offset)>();
        foreach (var (partition, stored) in log)
            foreach (var (offset, value) in stored)
                Assert.True(positions.TryAdd(int.Parse(value), (partition, offset)), $"{value} is in the log twice");

        foreach (var (index, result) in acknowledged)
        {
            Assert.True(positions.TryGetValue(index, out var position), $"acknowledged record {index} is not in the log");
            Assert.Equal(result.Partition, position.Partition);
            if (result.Offset >= 0) Assert.Equal(result.Offset, position.Offset);
        }
        // Per key (so per partition), records were written in the order they were produced.
        foreach (var (partition, stored) in log)
            foreach (var key in stored.Select(r => int.Parse(r.Value)).GroupBy(i => i % 50))
                if (!key.Order().SequenceEqual(key))
                    Assert.Fail($"key-{key.Key} out of order in partition {partition}: {string.Join(",", key)}\n{ClusterLog.DescribeBatches(cluster, Topic, partition)}");

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

    private static async Task InjectAsync(SimulatedCluster cluster, string fault)
    {
        switch (fault)
        {
            case "stop-and-restart":
                int victim = cluster.LeaderOf(Topic, 0);
                await cluster.StopBrokerAsync(victim);
                await Task.Delay(1500);
                await cluster.StartBrokerAsync(victim);
                break;
            case "move-leaders":
                for (int round = 0; round < 3; round++)
                {
                    for (int p = 0; p < Partitions; p++)
                        await cluster.MoveLeaderAsync(Topic, p, (cluster.LeaderOf(Topic, p) + 1) % 3);
                    await Task.Delay(300);
                }
                break;
            case "latency-above-timeout":
                cluster.SetLatency(1, TimeSpan.FromSeconds(2));
                await Task.Delay(2500);
                cluster.SetLatency(1, TimeSpan.Zero);
                break;
            case "drop-connections":
                for (int round = 0; round < 5; round++)
                {
                    cluster.DropConnections(round % 3);
                    await Task.Delay(200);
                }
                break;
            case "retriable-errors":
                cluster.InjectError(ApiKey.Produce, ErrorCode.NotEnoughReplicas, 0.3);
                await Task.Delay(1500);
                cluster.ClearInjectedErrors();
                break;
        }
    }
}
