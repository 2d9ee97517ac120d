using KafkaNative.Client;
using KafkaNative.Sim;
using static KafkaNative.Consumer.Tests.SimHelpers;

namespace KafkaNative.Consumer.Tests;

/// <summary>
/// A broker handles a connection's requests one at a time (Kafka mutes a connection until it has
/// answered), so group traffic has a connection of its own: a commit must not queue behind a fetch
/// that long-polls an empty partition on the same broker.
/// </summary>
public class CoordinatorConnectionTests
{
    [Fact]
    public async Task ACommitDoesNotWaitBehindALongPollingFetchToTheSameBroker()
    {
        await using SimulatedCluster sim = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1, BasePort = 0, GroupMinSessionTimeoutMs = 500 });
        await sim.CreateTopicAsync("long-poll", 1, 1);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        await ProduceAsync(producer, "long-poll", 0, 0, 3);

        ConsumerOptions options = Options(sim, "g-long-poll");
        options.EnableAutoCommit = false;
        // Far longer than the wait below: a commit queued behind this fetch could not make it.
        options.FetchMaxWait = TimeSpan.FromMinutes(2);
        options.RequestTimeout = TimeSpan.FromMinutes(3);
        await using var consumer = new KafkaConsumer<string?, string?>(options);
        consumer.Subscribe(["long-poll"]);
        int read = 0;
        await foreach (ConsumeResult<string?, string?> result in consumer.ConsumeAsync().WithCancellation(CancellationToken.None))
        {
            consumer.StoreOffset(result);
            if (++read == 3) break;
        }
        // Everything is read: the broker consumer's next fetch now waits out its long poll on the leader,
        // which is also the group's coordinator.
        await Eventually.TrueAsync(() => sim.RequestCount(0, Protocol.ApiKey.Fetch) >= 2, () => "a second fetch");

        IReadOnlyList<TopicPartitionOffset> committed = await consumer.CommitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3, Assert.Single(committed).Offset);
    }
}
