using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Sim;
using static KafkaNative.Consumer.Tests.SimHelpers;

namespace KafkaNative.Consumer.Tests;

/// <summary>
/// KIP-951 for the consumer: Fetch v16+ answers NOT_LEADER_OR_FOLLOWER (or FENCED_LEADER_EPOCH) with the new
/// leader, and the partition moves to it without a Metadata request.
/// </summary>
public class ConsumerLeaderDiscoveryTests
{
    /// <summary>The client's log event id for an applied leader hint (KafkaNative.Client.Diagnostics.Log).</summary>
    private const int LeaderHintApplied = 13;

    [Fact]
    public async Task Leader_moves_mid_stream_cost_no_metadata_request_and_skip_or_repeat_nothing()
    {
        const int partitions = 3, perPartition = 1000;
        await using SimulatedCluster sim = await StartAsync();
        await sim.CreateTopicAsync("moving", partitions, 3);
        // Everything is written first: the writer's own Metadata requests must not count.
        await using (var writer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers }))
            for (int p = 0; p < partitions; p++) await ProduceAsync(writer, "moving", p, 0, perPartition);

        var log = new LogEventCounter();
        ConsumerOptions options = Options(sim);
        options.LoggerFactory = log;
        // Small fetches and a short queue: the fetching keeps pace with the reading, so the moves land mid-stream.
        options.MaxPartitionFetchBytes = 1024;
        options.QueuedMessagesPerPartition = 16;
        await using var consumer = new KafkaConsumer<string?, string?>(options);
        consumer.Assign([.. Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset("moving", p, 0))]);
        var next = new long[partitions];
        long metadataBefore = -1;
        using var cts = new CancellationTokenSource(Generous);
        await foreach (var message in consumer.ConsumeAsync(cts.Token))
        {
            Assert.Equal(next[message.Partition], message.Offset);
            Assert.Equal($"{message.Offset}", message.Value);
            next[message.Partition]++;
            if (metadataBefore < 0 && next.All(n => n >= 100))
            {
                metadataBefore = MetadataRequests(sim);
                for (int p = 0; p < partitions; p++) await sim.MoveLeaderAsync("moving", p, (sim.LeaderOf("moving", p) + 1) % 3);
            }
            if (next.All(n => n == perPartition)) break;
        }
        Assert.All(next, n => Assert.Equal(perPartition, n));
        Assert.True(log.Count(LeaderHintApplied) > 0, "no leader hint was applied");
        Assert.Equal(metadataBefore, MetadataRequests(sim));
    }

    private static long MetadataRequests(SimulatedCluster sim) => sim.BrokerIds.Sum(b => sim.RequestCount(b, ApiKey.Metadata));
}
