using System.Collections.Concurrent;
using KafkaNative.Sim;
using Microsoft.Extensions.Time.Testing;

namespace KafkaNative.Producer.Tests;

public class ProducerBehaviourTests
{
    [Fact]
    public async Task AStalledBrokerHoldsMemoryAtTheBudgetAndCallersWait()
    {
        await using var cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1 });
        await cluster.CreateTopicAsync("slow", 1, replicationFactor: 1);
        const long budget = 64 * 1024;
        await using var producer = new KafkaProducer<string, byte[]>(new ProducerOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            BufferMemory = budget,
            BatchSize = 16 * 1024,
            RequestTimeout = TimeSpan.FromSeconds(20),
            DeliveryTimeout = TimeSpan.FromSeconds(60),
        });
        // Connect and learn the topic first, then stall the broker.
        await producer.ProduceAsync("slow", null, new byte[10]);
        cluster.SetStalled(0, true);

        var value = new byte[1000];
        int accepted = 0;
        using var stop = new CancellationTokenSource();
        Task filling = Task.Run(async () =>
        {
            for (int i = 0; i < 1000; i++)
            {
                await producer.EnqueueAsync("slow", null, value, cancellationToken: stop.Token);
                Interlocked.Increment(ref accepted);
            }
        });

        // The buffer fills up and stays full; the caller is left waiting, not buffering more.
        await Eventually.TrueAsync(() => producer.BufferedBytes > budget - 2_000, "the buffer full");
        Assert.InRange(producer.BufferedBytes, budget - 2_000, budget);
        Assert.False(filling.IsCompleted);

        // Waiting for memory honours cancellation.
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => filling);
        int plateau = Volatile.Read(ref accepted);
        Assert.InRange(plateau, 40, 70);
        Assert.InRange(producer.BufferedBytes, budget - 2_000, budget);

        // Once the broker answers again, everything buffered is delivered and the memory comes back.
        cluster.SetStalled(0, false);
        await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, producer.BufferedBytes);
        Assert.Equal(plateau + 1, ClusterLog.Read(cluster, "slow", 0).Count);
    }

    [Fact]
    public async Task FireAndForgetReportsEveryOutcomeAndFlushWaitsForThem()
    {
        await using var cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3 });
        await cluster.CreateTopicAsync("events", 3);
        await using var producer = new KafkaProducer<string, string>(new ProducerOptions { BootstrapServers = cluster.BootstrapServers });

        var reports = new ConcurrentBag<DeliveryReport>();
        Action<DeliveryReport> onDelivery = reports.Add;
        for (int i = 0; i < 5_000; i++)
            await producer.EnqueueAsync("events", null, $"event-{i}", onDelivery: onDelivery);
        await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(5_000, reports.Count);
        Assert.All(reports, r => Assert.True(r.Succeeded, r.Error?.ToString()));
        Assert.Equal(0, producer.PendingRecords);
        int stored = Enumerable.Range(0, 3).Sum(p => ClusterLog.Read(cluster, "events", p).Count);
        Assert.Equal(5_000, stored);
    }

    [Fact]
    public async Task ARecordThatMissesItsDeadlineFailsAndIsNeverSentAfterwards()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1 });
        await cluster.CreateTopicAsync("late", 1, replicationFactor: 1);
        await using var producer = new KafkaProducer<string, string>(new ProducerOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            RequestTimeout = TimeSpan.FromMilliseconds(500),
            DeliveryTimeout = TimeSpan.FromSeconds(2),
            RetryBackoff = TimeSpan.FromMilliseconds(50),
            RetryBackoffMax = TimeSpan.FromMilliseconds(200),
            // Batches go at once: only the retries wait on the fake clock.
            Linger = TimeSpan.Zero,
            TimeProvider = time,
        });
        await producer.ProduceAsync("late", null, "before");
        // A stopped broker writes nothing, so anything in the log later was sent after the failure.
        await cluster.StopBrokerAsync(0);

        // Retries and their backoff run on the fake clock; the delivery timeout ends them once it has moved 2 s.
        DateTimeOffset submitted = time.GetUtcNow();
        Task<DeliveryResult> tooLate = producer.ProduceAsync("late", null, "too-late").AsTask();
        await time.AdvanceUntilAsync(() => tooLate.IsCompleted, TimeSpan.FromMilliseconds(100), "the delivery timeout");
        var error = await Assert.ThrowsAsync<ProduceException>(() => tooLate);
        Assert.Contains("delivery timeout", error.Message);
        Assert.Equal("late", error.Topic);
        Assert.True(time.GetUtcNow() - submitted >= TimeSpan.FromSeconds(2), $"failed {time.GetUtcNow() - submitted} after it was produced");

        await cluster.StartBrokerAsync(0);
        Task<DeliveryResult> after = producer.ProduceAsync("late", null, "after").AsTask();
        await time.AdvanceUntilAsync(() => after.IsCompleted, TimeSpan.FromMilliseconds(50), "the record after the restart");
        await after;
        // One partition keeps order: a late send of the failed record would sit before "after".
        Assert.Equal(["before", "after"], ClusterLog.Read(cluster, "late", 0).Select(r => r.Value));
    }

    [Fact]
    public async Task BadInputGetsClearExceptions()
    {
        await using var cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1 });
        var producer = new KafkaProducer<string, string>(new ProducerOptions { BootstrapServers = cluster.BootstrapServers, MaxRecordSize = 2_000 });

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await producer.ProduceAsync(null!, "k", "v"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await producer.ProduceAsync("", "k", "v"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await producer.ProduceAsync("t", -2, "k", "v"));
        var tooBig = await Assert.ThrowsAsync<ArgumentException>(async () => await producer.ProduceAsync("t", "k", new string('x', 5_000)));
        Assert.Contains("MaxRecordSize", tooBig.Message);

        await producer.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await producer.ProduceAsync("t", "k", "v"));

        var badOptions = Assert.Throws<ArgumentException>(() => new KafkaProducer<string, string>(new ProducerOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            Acks = Acks.Leader,
        }));
        Assert.Contains("Idempotence", badOptions.Message);
        Assert.Throws<ArgumentException>(() => new KafkaProducer<Guid, string>(new ProducerOptions { BootstrapServers = cluster.BootstrapServers }));
    }

    [Fact]
    public async Task AnExplicitPartitionOutsideTheTopicFailsTheRecord()
    {
        await using var cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1 });
        await cluster.CreateTopicAsync("small", 2, replicationFactor: 1);
        await using var producer = new KafkaProducer<string, string>(new ProducerOptions { BootstrapServers = cluster.BootstrapServers });

        var error = await Assert.ThrowsAsync<ProduceException>(async () => await producer.ProduceAsync("small", 5, "k", "v"));
        Assert.Contains("2 partitions", error.Message);
        DeliveryResult ok = await producer.ProduceAsync("small", 1, "k", "v");
        Assert.Equal(1, ok.Partition);
    }
}

public class ProducerAcksTests
{
    [Theory]
    [InlineData(Acks.None)]
    [InlineData(Acks.Leader)]
    public async Task FewerAcknowledgementsStillDeliver(Acks acks)
    {
        await using var cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3 });
        await cluster.CreateTopicAsync("acks", 2);
        await using (var producer = new KafkaProducer<string, string>(new ProducerOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            Acks = acks,
            EnableIdempotence = false,
        }))
        {
            DeliveryResult result = await producer.ProduceAsync("acks", "k", "first");
            // acks=0 gets no answer, so no offset either.
            Assert.Equal(acks == Acks.None ? -1 : 0, result.Offset);
            for (int i = 0; i < 999; i++) await producer.EnqueueAsync("acks", $"k{i}", $"v{i}");
            await producer.FlushAsync();
        }
        await Eventually.TrueAsync(() => cluster.HighWatermark("acks", 0) + cluster.HighWatermark("acks", 1) >= 1000, "all 1000 records stored");
        Assert.Equal(1000, ClusterLog.Read(cluster, "acks", 0).Count + ClusterLog.Read(cluster, "acks", 1).Count);
    }
}
