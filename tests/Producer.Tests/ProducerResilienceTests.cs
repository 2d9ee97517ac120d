using System.Collections.Concurrent;
using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Sim;
using Microsoft.Extensions.Time.Testing;

namespace KafkaNative.Producer.Tests;

/// <summary>
/// Regression tests for what the fault study found: a bounce under a backlog sent the producer into a
/// retry loop against the dead broker; a throwing partitioner wedged the pipeline; errors lost their cause.
/// </summary>
public class ProducerResilienceTests
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task FiftyBouncesUnderABacklogNeitherStormNorLoseNorDuplicate()
    {
        const string topic = "bounce";
        const int partitions = 6;
        await using var cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3 });
        await cluster.CreateTopicAsync(topic, partitions);
        await using var producer = new KafkaProducer<string, string>(new ProducerOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            RequestTimeout = TimeSpan.FromSeconds(5),
            DeliveryTimeout = TimeSpan.FromMinutes(2),
        });
        int victim = cluster.LeaderOf(topic, 0);
        long connectionsBefore = cluster.ConnectionCount(victim);

        var acknowledged = new ConcurrentDictionary<int, DeliveryResult>();
        var failed = new ConcurrentDictionary<int, Exception>();
        var settled = new SettledCount();
        using var stopProducing = new CancellationTokenSource();
        int produced = 0;
        Task producing = Task.Run(async () =>
        {
            // Unthrottled: the memory budget is the only brake, so far more than five batches per partition queue up.
            for (int i = 0; !stopProducing.IsCancellationRequested; i++, produced++)
            {
                int index = i;
                await producer.EnqueueAsync(topic, $"key-{index % 60}", $"{index:D9}", onDelivery: report =>
                {
                    if (report.Succeeded) acknowledged[index] = report.Result;
                    else failed[index] = report.Error!;
                    settled.Add();
                });
            }
        });

        for (int bounce = 0; bounce < 50; bounce++)
        {
            await WaitForMoreAcknowledgementsAsync(settled, 2_000, failed);
            await cluster.StopBrokerAsync(victim);
            await WaitForMoreAcknowledgementsAsync(settled, 2_000, failed);
            await cluster.StartBrokerAsync(victim);
            await cluster.WaitForFullIsrAsync(NoHang);
        }
        stopProducing.Cancel();
        await producing.WaitAsync(NoHang);
        await producer.FlushAsync().WaitAsync(NoHang);

        Assert.True(failed.IsEmpty, $"{failed.Count} records failed; the first: {failed.Values.FirstOrDefault()}");
        Assert.Equal(produced, acknowledged.Count);
        // A retry loop opened hundreds of connections to one broker; a healthy client needs a handful per bounce.
        long connections = cluster.ConnectionCount(victim) - connectionsBefore;
        Assert.True(connections <= 50 * 10, $"{connections} connections to broker {victim} over 50 bounces");

        var seen = new Dictionary<int, (int Partition, long Offset)>();
        var log = ClusterLog.ReadAll(cluster, topic, partitions);
        foreach (var (partition, stored) in log)
            foreach (var (offset, value) in stored)
                Assert.True(seen.TryAdd(int.Parse(value), (partition, offset)), $"{value} is in the log twice");
        foreach (var (index, result) in acknowledged)
            Assert.True(seen.TryGetValue(index, out var position) && position.Partition == result.Partition, $"acknowledged record {index} is not in the log");
        foreach (var stored in log.Values)
            foreach (var key in stored.Select(r => int.Parse(r.Value)).GroupBy(i => i % 60))
                Assert.Equal(key.Order(), key);
    }

    [Fact]
    public async Task AThrowingOrWrongPartitionerFailsOnlyItsRecords()
    {
        await using var cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1 });
        await cluster.CreateTopicAsync("orders", 3, replicationFactor: 1);
        await cluster.CreateTopicAsync("audit", 3, replicationFactor: 1);
        var producer = new KafkaProducer<string, string>(new ProducerOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            Partitioner = new TreacherousPartitioner(),
        });
        try
        {
            var outOfRange = await Assert.ThrowsAsync<ProduceException>(async () => await producer.ProduceAsync("orders", "out-of-range", "x"));
            Assert.Contains("returned partition 99", outOfRange.Message);
            var thrown = await Assert.ThrowsAsync<ProduceException>(async () => await producer.ProduceAsync("orders", "throw", "x"));
            Assert.IsType<FormatException>(thrown.InnerException);

            // More bad records than the channels between the stages hold, then good ones on both topics.
            var bad = Enumerable.Range(0, 100_000).Select(_ => producer.ProduceAsync("orders", "out-of-range", "x").AsTask()).ToList();
            DeliveryResult[] good = await Task.WhenAll(Enumerable.Range(0, 1_000)
                .Select(i => producer.ProduceAsync(i % 2 == 0 ? "orders" : "audit", $"k{i}", $"v{i}").AsTask())).WaitAsync(NoHang);
            Assert.All(good, r => Assert.True(r.Offset >= 0));
            await Task.WhenAll(bad.Select(t => t.ContinueWith(_ => { }))).WaitAsync(NoHang);
            Assert.All(bad, t => Assert.IsType<ProduceException>(t.Exception?.InnerException));
        }
        finally
        {
            await producer.DisposeAsync().AsTask().WaitAsync(NoHang);
        }
    }

    [Fact]
    public async Task AnInvalidTopicFailsAtOnceWithTheBrokersError()
    {
        await using var cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1 });
        await using var producer = new KafkaProducer<string, string>(new ProducerOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            DeliveryTimeout = TimeSpan.FromMinutes(5),
        });
        var error = await Assert.ThrowsAsync<ProduceException>(async () =>
            await producer.ProduceAsync("bad topic!", "k", "v").AsTask().WaitAsync(NoHang));
        Assert.Equal(ErrorCode.InvalidTopicException, error.ErrorCode);
        Assert.False(error.IsRetriable);
    }

    [Fact]
    public async Task WithNoBrokerReachableTheFailureCarriesTheConnectionError()
    {
        await using var producer = new KafkaProducer<string, string>(new ProducerOptions
        {
            BootstrapServers = $"127.0.0.1:{UnusedLoopbackPort.Pick()}",
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
            DeliveryTimeout = TimeSpan.FromSeconds(2),
        });
        var error = await Assert.ThrowsAsync<ProduceException>(async () =>
            await producer.ProduceAsync("anything", "k", "v").AsTask().WaitAsync(NoHang));
        Assert.Contains(Causes(error), e => e is KafkaConnectionException);
    }

    [Fact]
    public async Task AnUnreachableClusterIsReportedWithinTheConnectBudgetNotAtTheDeliveryTimeout()
    {
        var unreachable = new TaskCompletionSource<KafkaConnectionException>(TaskCreationOptions.RunContinuationsAsynchronously);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var producer = new KafkaProducer<string, string>(new ProducerOptions
        {
            BootstrapServers = $"127.0.0.1:{UnusedLoopbackPort.Pick()}",
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
            DeliveryTimeout = TimeSpan.FromMinutes(10),
            OnClusterUnreachable = error => unreachable.TrySetResult(error),
            TimeProvider = time,
        });
        try
        {
            ValueTask<DeliveryResult> pending = producer.ProduceAsync("anything", "k", "v");
            // A refused connection is reported at once, with no clock involved.
            KafkaConnectionException error = await unreachable.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Contains("127.0.0.1", error.ToString());
            Assert.False(pending.IsCompleted, "the record keeps its delivery budget; only the report is early");
        }
        finally
        {
            // The undeliverable record holds the close for its CloseTimeout: let that pass on the fake clock.
            Task closing = producer.DisposeAsync().AsTask();
            await time.AdvanceUntilAsync(() => closing.IsCompleted, TimeSpan.FromSeconds(5), "the producer to close");
            await closing;
        }
    }

    private static IEnumerable<Exception> Causes(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException) yield return e;
    }

    private static async Task WaitForMoreAcknowledgementsAsync(SettledCount settled, int more, ConcurrentDictionary<int, Exception> failed)
    {
        // The stall bound: a healthy producer keeps acknowledging through a bounce within seconds.
        try
        {
            await settled.ReachedAsync(settled.Value + more).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"no {more} acknowledgements within 10 s: the producer stalled", e);
        }
        Assert.True(failed.IsEmpty, $"a record failed: {failed.Values.FirstOrDefault()}");
    }

    /// <summary>
    /// Records settled so far, and one waiter woken when they reach its target: the bounce loop waits a
    /// hundred times, too often for a polling interval per wait, and deliveries are too many to wake it each.
    /// </summary>
    private sealed class SettledCount
    {
        private int _value;
        private int _target = int.MaxValue;
        private TaskCompletionSource? _waiter;

        public int Value => Volatile.Read(ref _value);

        public void Add()
        {
            if (Interlocked.Increment(ref _value) >= Volatile.Read(ref _target)) Interlocked.Exchange(ref _waiter, null)?.TrySetResult();
        }

        public Task ReachedAsync(int target)
        {
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _waiter, waiter);
            Volatile.Write(ref _target, target);
            // A delivery that read the old target is seen here instead.
            if (Value >= target) waiter.TrySetResult();
            return waiter.Task;
        }
    }

    private sealed class TreacherousPartitioner : IPartitioner
    {
        private readonly DefaultPartitioner _default = new();

        public int Partition(string topic, ReadOnlySpan<byte> key, bool keyIsNull, int partitionCount) =>
            System.Text.Encoding.UTF8.GetString(key) switch
            {
                "out-of-range" => 99,
                "throw" => throw new FormatException("the partitioner cannot parse this key"),
                _ => _default.Partition(topic, key, keyIsNull, partitionCount),
            };

        public void OnNewBatch(string topic, int previousPartition) => _default.OnNewBatch(topic, previousPartition);
    }
}
