using System.Text;
using KafkaNative.Extensions.Hosting;
using KafkaNative.Sim;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KafkaNative.Extensions.Tests;

public class HostedConsumerTests
{
    private const string Topic = "orders";
    private const int Partitions = 2;

    private static IHost BuildHost(SimulatedCluster cluster, Recorder recorder, string group, Action<KafkaHandlerOptions>? handler = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(recorder);
        builder.Services.AddKafkaConsumerHandler<string, string, RecordingHandler>("orders",
            options =>
            {
                options.Topics = [Topic];
                options.MaxConcurrency = 4;
                options.MaxRetries = 2;
                options.RetryBackoff = TimeSpan.FromMilliseconds(5);
                options.RetryBackoffMax = TimeSpan.FromMilliseconds(20);
                handler?.Invoke(options);
            },
            options => SimKafka.Configure(options, cluster, group));
        return builder.Build();
    }

    private static async Task ProduceAsync(SimulatedCluster cluster, int from, int to, int keys = 10)
    {
        await using var producer = new KafkaProducer<string, string>(SimKafka.Producer(cluster));
        var sends = new List<Task>();
        for (int i = from; i < to; i++)
        {
            RecordHeader[] headers = [new("origin", Encoding.UTF8.GetBytes($"test-{i}"))];
            sends.Add(producer.ProduceAsync(Topic, $"k{i % keys}", $"v{i}", headers).AsTask());
        }
        await Task.WhenAll(sends);
    }

    [Fact]
    public async Task AFailingRecordGoesToTheDeadLetterTopicWithItsBytes_OthersAreHandledOnceInKeyOrder_AndOnlyHandledOffsetsAreCommitted()
    {
        await using SimulatedCluster cluster = await SimKafka.StartAsync((Topic, Partitions), (Topic + ".DLT", 1));
        await ProduceAsync(cluster, 0, 100);
        var recorder = new Recorder();
        recorder.Poison.Add("v42");
        // v0 and v1 (keys k0 and k1) each wait until the other has started, which proves that handlers overlap,
        // and that records queued behind k0 do not keep k1 from running.
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int started = 0;
        recorder.Gate = async (message, ct) =>
        {
            if (message.Value is not ("v0" or "v1")) await Task.Yield();
            else if (Interlocked.Increment(ref started) == 2) both.SetResult();
            else await both.Task.WaitAsync(Eventually.DefaultTimeout, ct);
        };

        using (IHost host = BuildHost(cluster, recorder, "g1"))
        {
            await host.StartAsync();
            await Eventually.TrueAsync(() => recorder.Handled.Count == 99 && recorder.Attempts.GetValueOrDefault("v42") == 3, () => $"99 records handled (now {recorder.Handled.Count})");
            List<ConsumeResult<byte[]?, byte[]?>> dead = await SimKafka.ReadAsync(cluster, Topic + ".DLT", 1, 1);
            await host.StopAsync();

            ConsumeResult<byte[]?, byte[]?> letter = Assert.Single(dead);
            Assert.Equal("k2", Encoding.UTF8.GetString(letter.Key!));
            Assert.Equal("v42", Encoding.UTF8.GetString(letter.Value!));
            string Header(string key) => Encoding.UTF8.GetString(letter.Headers.Last(h => h.Key == key).Value!.Value.Span);
            Assert.Equal("test-42", Header("origin"));
            Assert.Equal(typeof(InvalidOperationException).FullName, Header(DeadLetterHeaders.ErrorType));
            Assert.Equal("cannot handle v42", Header(DeadLetterHeaders.ErrorMessage));
            Assert.Equal(Topic, Header(DeadLetterHeaders.OriginalTopic));
            Assert.Equal("2", Header(DeadLetterHeaders.Retries));
            Assert.Equal("g1", Header(DeadLetterHeaders.ConsumerGroup));
            Assert.True(long.Parse(Header(DeadLetterHeaders.OriginalOffset)) >= 0);
            Assert.True(int.Parse(Header(DeadLetterHeaders.OriginalPartition)) is >= 0 and < Partitions);
            Assert.True(long.Parse(Header(DeadLetterHeaders.OriginalTimestamp)) > 0);
        }

        Assert.All(recorder.Handled, h => Assert.Equal(1, h.Value));
        Assert.Equal(0, recorder.SameKeyOverlaps);
        Assert.True(recorder.MaxInFlight >= 2, $"at most {recorder.MaxInFlight} handler ran at once");
        foreach ((string key, var values) in recorder.PerKey)
        {
            int[] sequence = [.. values.Select(v => int.Parse(v[1..]))];
            Assert.Equal(sequence.Order(), sequence);
        }
        long[] committed = await SimKafka.CommittedAsync(cluster, "g1", Topic, Partitions);
        Assert.Equal(100, committed.Sum());

        // A restart handles only what is new: nothing committed is handled again.
        await ProduceAsync(cluster, 100, 110);
        recorder.Gate = null;
        using (IHost host = BuildHost(cluster, recorder, "g1"))
        {
            await host.StartAsync();
            await Eventually.TrueAsync(() => recorder.Handled.Count == 109, () => $"109 records handled (now {recorder.Handled.Count})");
            await host.StopAsync();
        }
        Assert.All(recorder.Handled, h => Assert.Equal(1, h.Value));
        Assert.Equal(110, (await SimKafka.CommittedAsync(cluster, "g1", Topic, Partitions)).Sum());
    }

    [Fact]
    public async Task StoppingLetsHandlersInFlightFinish_ThenCommitsThem()
    {
        await using SimulatedCluster cluster = await SimKafka.StartAsync((Topic, Partitions), (Topic + ".DLT", 1));
        await ProduceAsync(cluster, 0, 1);
        var recorder = new Recorder();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool cancelled = false;
        recorder.Gate = async (_, ct) =>
        {
            entered.TrySetResult();
            await release.Task;
            cancelled = ct.IsCancellationRequested;
        };

        using IHost host = BuildHost(cluster, recorder, "g2");
        await host.StartAsync();
        await entered.Task.WaitAsync(Eventually.DefaultTimeout);
        Task stopping = host.StopAsync();
        Assert.False(stopping.IsCompleted);
        release.SetResult();
        await stopping.WaitAsync(Eventually.DefaultTimeout);

        Assert.False(cancelled);
        Assert.Equal(1, recorder.Handled.GetValueOrDefault("v0"));
        Assert.Equal(1, (await SimKafka.CommittedAsync(cluster, "g2", Topic, Partitions)).Where(o => o > 0).Sum());
    }

    [Fact]
    public async Task AHandlerStillRunningAtTheShutdownTimeoutIsCancelled_AndItsRecordStaysUncommitted()
    {
        await using SimulatedCluster cluster = await SimKafka.StartAsync((Topic, Partitions), (Topic + ".DLT", 1));
        await ProduceAsync(cluster, 0, 1);
        var recorder = new Recorder();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        recorder.Gate = async (_, ct) =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        };

        using IHost host = BuildHost(cluster, recorder, "g3", options => options.ShutdownTimeout = TimeSpan.FromMilliseconds(200));
        await host.StartAsync();
        await entered.Task.WaitAsync(Eventually.DefaultTimeout);
        await host.StopAsync().WaitAsync(Eventually.DefaultTimeout);

        Assert.Empty(recorder.Handled);
        Assert.All(await SimKafka.CommittedAsync(cluster, "g3", Topic, Partitions), offset => Assert.True(offset <= 0));
        Assert.Empty(await SimKafka.ReadAsync(cluster, Topic + ".DLT", 1, 0));
    }

    [Fact]
    public async Task ABatchHandlerGetsEachPartitionsRecordsInOrder_AndAFailingBatchGoesToTheDeadLetterTopic()
    {
        await using SimulatedCluster cluster = await SimKafka.StartAsync((Topic, Partitions), (Topic + ".DLT", 1));
        await ProduceAsync(cluster, 0, 60, keys: 60);
        var recorder = new Recorder();
        recorder.Poison.Add("v7");
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(recorder);
        builder.Services.AddKafkaBatchConsumerHandler<string, string, RecordingBatchHandler>("orders",
            options =>
            {
                options.Topics = [Topic];
                options.MaxConcurrency = 2;
                options.MaxRetries = 1;
                options.RetryBackoff = TimeSpan.FromMilliseconds(5);
            },
            options => SimKafka.Configure(options, cluster, "batches"));
        using IHost host = builder.Build();
        await host.StartAsync();
        // The batch holding v7 fails twice and goes, whole, to the dead-letter topic; every other batch is handled once.
        await Eventually.TrueAsync(() => recorder.Attempts.GetValueOrDefault("v7") == 2, "the failing batch tried twice");
        await Eventually.TrueAsync(async () => (await SimKafka.CommittedAsync(cluster, "batches", Topic, Partitions)).Sum() == 60, "every offset committed");
        await host.StopAsync();

        int deadCount = (int)cluster.HighWatermark(Topic + ".DLT", 0);
        string[] dead = [.. (await SimKafka.ReadAsync(cluster, Topic + ".DLT", 1, deadCount)).Select(d => Encoding.UTF8.GetString(d.Value!))];
        Assert.Contains("v7", dead);
        foreach (string value in Enumerable.Range(0, 60).Select(i => $"v{i}").Except(dead)) Assert.Equal(1, recorder.Handled.GetValueOrDefault(value));
        Assert.Equal(0, recorder.SameKeyOverlaps);
    }
}
