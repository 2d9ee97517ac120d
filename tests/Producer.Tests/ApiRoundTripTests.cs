using System.Text;
using KafkaNative.Sim;
using KafkaNative.TestSupport;

namespace KafkaNative.Producer.Tests;

/// <summary>
/// The application-facing calls end to end through a simulated cluster (in memory): a message's
/// timestamp and headers, batch consumption, unsubscribing, and looking offsets up by time.
/// </summary>
public sealed class ApiRoundTripTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private static IKafkaTransport InMemory(SimulatedCluster cluster) =>
        KafkaTransport.InMemory((endpoint, ct) => cluster.ConnectInMemoryAsync(endpoint.Host, endpoint.Port, ct));

    private static ProducerOptions ProducerOptionsFor(SimulatedCluster cluster) => new()
    {
        BootstrapServers = cluster.BootstrapServers,
        Transport = InMemory(cluster),
        Linger = TimeSpan.FromMilliseconds(2),
        MetadataMinRefreshInterval = TimeSpan.FromMilliseconds(50),
    };

    private static ConsumerOptions ConsumerOptionsFor(SimulatedCluster cluster, string? group = null) => new()
    {
        BootstrapServers = cluster.BootstrapServers,
        Transport = InMemory(cluster),
        GroupId = group,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        FetchMaxWait = TimeSpan.FromMilliseconds(50),
        SessionTimeout = TimeSpan.FromSeconds(6),
        HeartbeatInterval = TimeSpan.FromMilliseconds(300),
        AutoCommitInterval = TimeSpan.FromMilliseconds(200),
        MetadataMinRefreshInterval = TimeSpan.FromMilliseconds(50),
    };

    private static async Task ProduceNumbersAsync(SimulatedCluster cluster, string topic, int count, Func<int, DateTimeOffset?>? timestampOf = null)
    {
        await using var producer = new KafkaProducer<string, string>(ProducerOptionsFor(cluster));
        var sends = new List<Task>(count);
        for (int i = 0; i < count; i++)
            sends.Add(producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i % 7}", Value = $"{i}", Timestamp = timestampOf?.Invoke(i) }).AsTask());
        await Task.WhenAll(sends).WaitAsync(Generous);
    }

    [Fact]
    public async Task AMessagesTimestampAndHeadersComeBackToTheConsumerAsRecordHeaders()
    {
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1 });
        await cluster.CreateTopicAsync("api-message", 1, 1);
        var sent = new DateTimeOffset(2021, 6, 1, 12, 0, 0, TimeSpan.Zero);
        await using (var producer = new KafkaProducer<string, string>(ProducerOptionsFor(cluster)))
        {
            DeliveryResult result = await producer.ProduceAsync(new TopicPartition("api-message", 0), new Message<string, string>
            {
                Key = "k",
                Value = "v",
                Timestamp = sent,
                Headers = [new RecordHeader("trace", "abc"u8.ToArray()), new RecordHeader("empty", null)],
            });
            Assert.Equal(sent, result.Timestamp);
        }

        await using var consumer = new KafkaConsumer<string, string>(ConsumerOptionsFor(cluster));
        consumer.Assign([new TopicPartitionOffset("api-message", 0, TopicPartitionOffset.Beginning)]);
        using var timeout = new CancellationTokenSource(Generous);
        await foreach (ConsumeResult<string, string> message in consumer.ConsumeAsync(timeout.Token))
        {
            Assert.Equal(("k", "v", sent), (message.Key, message.Value, message.Timestamp));
            Assert.Equal(["trace", "empty"], message.Headers.Select(h => h.Key));
            Assert.Equal("abc", Encoding.UTF8.GetString(message.Headers[0].Value!.Value.Span));
            Assert.Null(message.Headers[1].Value);
            break;
        }
    }

    [Fact]
    public async Task BatchesHoldRunsOfOnePartitionInOrderAndTheirEndIsCommitted()
    {
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3 });
        await cluster.CreateTopicAsync("api-batches", 3);
        const int count = 3000;
        await ProduceNumbersAsync(cluster, "api-batches", count);

        await using var consumer = new KafkaConsumer<string, string>(ConsumerOptionsFor(cluster, "batch-group"));
        consumer.Subscribe(["api-batches"]);
        var next = new long[3];
        var values = new HashSet<int>();
        int batches = 0;
        using var timeout = new CancellationTokenSource(Generous);
        await foreach (ConsumeBatch<string, string> batch in consumer.ConsumeBatchesAsync(timeout.Token))
        {
            batches++;
            Assert.InRange(batch.Count, 1, 256);
            foreach (ConsumeResult<string, string> message in batch)
            {
                Assert.Equal(batch.TopicPartition, message.TopicPartition);
                Assert.Equal(next[message.Partition]++, message.Offset);
                Assert.True(values.Add(int.Parse(message.Value)), $"value {message.Value} read twice");
            }
            Assert.Equal(next[batch.TopicPartition.Partition] - 1, batch.LastOffset);
            if (values.Count == count) break;
        }
        Assert.True(batches < count / 4, $"{batches} batches for {count} messages: runs should hold many messages");

        // Leaving the loop consumed the last batch: a commit covers every partition's end.
        await consumer.CommitAsync(timeout.Token);
        IReadOnlyList<TopicPartitionOffset> committed = await consumer.CommittedAsync(consumer.Assignment, timeout.Token);
        Assert.Equal(next.Select((n, p) => new TopicPartitionOffset("api-batches", p, n)), committed.OrderBy(o => o.Partition));
    }

    [Fact]
    public async Task UnsubscribingRevokesCommitsAndLeavesSoAnotherMemberTakesEverythingAndSubscribingJoinsAgain()
    {
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1 });
        await cluster.CreateTopicAsync("api-unsubscribe", 2, 1);
        await ProduceNumbersAsync(cluster, "api-unsubscribe", 100);
        using var timeout = new CancellationTokenSource(Generous);

        await using var first = new KafkaConsumer<string, string>(ConsumerOptionsFor(cluster, "leaving-group"));
        var revoked = new List<TopicPartition>();
        first.PartitionsRevoked = (partitions, _) =>
        {
            revoked.AddRange(partitions);
            return ValueTask.CompletedTask;
        };
        first.Subscribe(["api-unsubscribe"]);
        int read = 0;
        await foreach (ConsumeResult<string, string> _ in first.ConsumeAsync(timeout.Token))
        {
            if (++read == 100) break;
        }
        await first.UnsubscribeAsync(timeout.Token);
        Assert.Empty(first.Assignment);
        Assert.Empty(first.Subscription);
        Assert.Equal([new TopicPartition("api-unsubscribe", 0), new TopicPartition("api-unsubscribe", 1)], revoked.Order());

        // The first member left: a second one is alone in the group, starts from the committed end and finds nothing to read.
        await using var second = new KafkaConsumer<string, string>(ConsumerOptionsFor(cluster, "leaving-group"));
        second.Subscribe(["api-unsubscribe"]);
        await Eventually.TrueAsync(async () =>
        {
            using var poll = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            poll.CancelAfter(TimeSpan.FromMilliseconds(200));
            try
            {
                await foreach (ConsumeResult<string, string> message in second.ConsumeAsync(poll.Token)) Assert.Fail($"offset {message.Offset} was read again");
            }
            catch (OperationCanceledException) when (!timeout.IsCancellationRequested)
            {
            }
            return second.Assignment.Count == 2;
        }, () => "the second member to get both partitions");
        IReadOnlyList<TopicPartitionOffset> committed = await second.CommittedAsync(second.Assignment, timeout.Token);
        Assert.Equal(100, committed.Sum(c => c.Offset));

        // The first member can join again.
        first.Subscribe(["api-unsubscribe"]);
        await Eventually.TrueAsync(() => first.Assignment.Count == 1 && second.Assignment.Count == 1,
            () => "the rejoined member to get a partition");
    }

    [Fact]
    public async Task OffsetsForTimesFindsTheFirstMessageAtOrAfterATimeAndTheEndPastTheLast()
    {
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1 });
        await cluster.CreateTopicAsync("api-times", 1, 1);
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await ProduceNumbersAsync(cluster, "api-times", 10, i => start.AddSeconds(i));

        await using var consumer = new KafkaConsumer<string, string>(ConsumerOptionsFor(cluster));
        var partition = new TopicPartition("api-times", 0);
        Assert.Equal([new TopicPartitionOffset(partition, 6)], await consumer.OffsetsForTimesAsync([partition], start.AddSeconds(5.5)));
        Assert.Equal([new TopicPartitionOffset(partition, 0)], await consumer.OffsetsForTimesAsync([partition], start.AddDays(-1)));
        Assert.Equal([new TopicPartitionOffset(partition, TopicPartitionOffset.End)], await consumer.OffsetsForTimesAsync([partition], start.AddDays(1)));
    }
}
