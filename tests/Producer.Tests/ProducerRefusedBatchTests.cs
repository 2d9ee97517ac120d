using System.Collections.Concurrent;
using KafkaNative.Protocol;
using KafkaNative.Sim;

namespace KafkaNative.Producer.Tests;

/// <summary>
/// A batch the broker refuses for good (INVALID_RECORD: not retriable) fails alone. Records that
/// reached the partition while it came back must neither be stranded nor overtaken by newer ones.
/// </summary>
public class ProducerRefusedBatchTests
{
    private const string Topic = "refusals";
    private const int Partitions = 3;
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RecordsBesideARefusedBatchAreAnsweredAndKeepTheirOrder()
    {
        await using var cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3, Seed = 11 });
        await cluster.CreateTopicAsync(Topic, Partitions);
        await using var producer = new KafkaProducer<string, string>(new ProducerOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            Linger = TimeSpan.FromMilliseconds(1),
            RetryBackoff = TimeSpan.FromMilliseconds(10),
            RetryBackoffMax = TimeSpan.FromMilliseconds(100),
        });

        const int records = 4_000;
        var acknowledged = new ConcurrentDictionary<int, DeliveryResult>();
        var failed = new ConcurrentDictionary<int, ProduceException>();
        // A steady stream: a new record goes in as an old one is answered, so chunks keep arriving while batches come back.
        using var inFlight = new SemaphoreSlim(200);
        var deliveries = new List<Task>();
        cluster.InjectError(ApiKey.Produce, ErrorCode.InvalidRecord, 0.2);
        for (int i = 0; i < records; i++)
        {
            if (i == records * 3 / 4) cluster.ClearInjectedErrors();
            await inFlight.WaitAsync();
            deliveries.Add(AwaitDeliveryAsync(i, producer.ProduceAsync(Topic, $"key-{i % 40}", $"{i:D8}")));
        }
        // Stranded records would never be answered: bound the wait so the test fails instead of hanging.
        await Task.WhenAll(deliveries).WaitAsync(NoHang);

        Assert.Equal(records, acknowledged.Count + failed.Count);
        Assert.NotEmpty(acknowledged);
        var log = ClusterLog.ReadAll(cluster, Topic, Partitions);
        var stored = new HashSet<int>();
        foreach (var (partition, values) in log)
        {
            foreach (var (_, value) in values) Assert.True(stored.Add(int.Parse(value)), $"{value} is in the log twice");
            foreach (var key in values.Select(r => int.Parse(r.Value)).GroupBy(i => i % 40))
                if (!key.Order().SequenceEqual(key))
                    Assert.Fail($"key-{key.Key} out of order in partition {partition}: {string.Join(",", key)}\n{ClusterLog.DescribeBatches(cluster, Topic, partition)}");
        }
        foreach (int index in acknowledged.Keys) Assert.Contains(index, stored);

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
}
