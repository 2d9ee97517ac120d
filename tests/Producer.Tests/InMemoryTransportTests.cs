using System.Collections.Concurrent;
using KafkaNative.Client;
using KafkaNative.Consumer;
using KafkaNative.Sim;
using KafkaNative.TestSupport;

namespace KafkaNative.Producer.Tests;

/// <summary>
/// The real producer and consumer against a simulated cluster through <see cref="KafkaTransport.InMemory"/>,
/// no sockets: what is produced is in the Sim's log exactly once and comes back to the consumer, and a
/// broker crash mid-produce loses nothing acknowledged.
/// </summary>
public sealed class InMemoryTransportTests
{
    private const int Partitions = 6;

    private static IKafkaTransport InMemory(SimulatedCluster cluster) =>
        KafkaTransport.InMemory((endpoint, ct) => cluster.ConnectInMemoryAsync(endpoint.Host, endpoint.Port, ct));

    private static ProducerOptions ProducerOptionsFor(SimulatedCluster cluster) => new()
    {
        BootstrapServers = cluster.BootstrapServers,
        Transport = InMemory(cluster),
        Linger = TimeSpan.FromMilliseconds(2),
        RequestTimeout = TimeSpan.FromSeconds(2),
        DeliveryTimeout = TimeSpan.FromSeconds(60),
        RetryBackoff = TimeSpan.FromMilliseconds(20),
        RetryBackoffMax = TimeSpan.FromMilliseconds(300),
        MetadataMinRefreshInterval = TimeSpan.FromMilliseconds(50),
    };

    [Fact]
    public async Task WhatIsProducedInMemoryIsStoredOnceAndConsumedBack()
    {
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3, Seed = 11 });
        await cluster.CreateTopicAsync("memory", Partitions);
        const int records = 20_000;
        // About 20 MB: fetch responses run past the in-memory pipes' 1 MiB pause threshold.
        string padding = new('p', 1000);

        await using (var producer = new KafkaProducer<string, string>(ProducerOptionsFor(cluster)))
        {
            var sends = new List<Task>(records);
            for (int i = 0; i < records; i++) sends.Add(producer.ProduceAsync("memory", $"key-{i % 64}", $"{i:D8}{padding}").AsTask());
            await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(120));
        }

        var stored = ClusterLog.ReadAll(cluster, "memory", Partitions).Values.SelectMany(p => p).Select(r => int.Parse(r.Value[..8])).ToList();
        Assert.Equal(Enumerable.Range(0, records), stored.Order());

        var consumerOptions = new ConsumerOptions { BootstrapServers = cluster.BootstrapServers, Transport = InMemory(cluster) };
        await using var consumer = new KafkaConsumer<string?, string?>(consumerOptions, Deserializers.Utf8, Deserializers.Utf8);
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset("memory", p, TopicPartitionOffset.Beginning)));
        var consumed = new List<int>(records);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await foreach (ConsumeResult<string?, string?> message in consumer.ConsumeAsync(timeout.Token))
        {
            consumed.Add(int.Parse(message.Value![..8]));
            if (consumed.Count == records) break;
        }
        Assert.Equal(Enumerable.Range(0, records), consumed.Order());
    }

    [Theory]
    [InlineData("kill")]
    [InlineData("stop")]
    public async Task ABrokerLostMidProduceInMemoryLosesNoAcknowledgedRecord(string fault)
    {
        var clusterOptions = new ClusterOptions { Brokers = 3, Seed = 5, BrokerSessionTimeout = TimeSpan.FromSeconds(1) };
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(clusterOptions);
        await cluster.CreateTopicAsync("faulted", Partitions);
        await using var producer = new KafkaProducer<string, string>(ProducerOptionsFor(cluster));
        const int records = 4_000;
        var acknowledged = new ConcurrentDictionary<int, DeliveryResult>();
        var failed = new ConcurrentDictionary<int, Exception>();
        var faultDue = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var window = new SemaphoreSlim(200);
        var sends = new List<Task>(records);
        for (int i = 0; i < records; i++)
        {
            await window.WaitAsync();
            int index = i;
            sends.Add(Task.Run(async () =>
            {
                try
                {
                    acknowledged[index] = await producer.ProduceAsync("faulted", $"key-{index % 50}", $"{index:D8}");
                    if (acknowledged.Count == records / 4) faultDue.TrySetResult();
                }
                catch (ProduceException e)
                {
                    failed[index] = e;
                }
                finally
                {
                    window.Release();
                }
            }));
            // The fault strikes once a quarter is acknowledged, with the rest still to send.
            if (i == records / 2)
            {
                await faultDue.Task.WaitAsync(TimeSpan.FromSeconds(60));
                int victim = cluster.LeaderOf("faulted", 0);
                if (fault == "kill") await cluster.KillBrokerAsync(victim);
                else await cluster.StopBrokerAsync(victim);
                sends.Add(RestartWhenFencedAsync(cluster, victim));
            }
        }
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(120));

        Assert.Empty(failed);
        Assert.Equal(records, acknowledged.Count);
        var positions = new Dictionary<int, (int Partition, long Offset)>();
        foreach (var (partition, stored) in ClusterLog.ReadAll(cluster, "faulted", Partitions))
            foreach (var (offset, value) in stored)
                Assert.True(positions.TryAdd(int.Parse(value), (partition, offset)), $"{value} is in the log twice");
        foreach (var (index, result) in acknowledged)
        {
            Assert.True(positions.TryGetValue(index, out var position), $"acknowledged record {index} is not in the log");
            Assert.Equal(result.Partition, position.Partition);
        }
    }

    /// <summary>Brings the broker back once no partition names it as leader any more, so the producer has had to move.</summary>
    private static async Task RestartWhenFencedAsync(SimulatedCluster cluster, int broker)
    {
        await Eventually.TrueAsync(() => Enumerable.Range(0, Partitions).All(p => cluster.LeaderOf("faulted", p) != broker), "leadership moved off the lost broker");
        await cluster.StartBrokerAsync(broker);
    }
}
