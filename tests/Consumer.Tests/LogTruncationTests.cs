using System.Collections.Concurrent;
using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Sim;
using Microsoft.Extensions.Logging;
using static KafkaNative.Consumer.Tests.SimHelpers;

namespace KafkaNative.Consumer.Tests;

/// <summary>
/// KIP-320 against the Sim: after a leader change the consumer validates its position with OffsetForLeaderEpoch; a log
/// truncated under it by an unclean election is followed by the reset policy (to the divergence offset), or reported.
/// </summary>
public sealed class LogTruncationTests
{
    private const string Topic = "truncated";

    /// <summary>
    /// Two brokers: 0-29 on both, then the follower stops and 30-49 go to the leader alone (committed: the ISR is the
    /// leader). Returns once a consumer may have read all 50; <see cref="TruncateAsync"/> then loses 30-49.
    /// </summary>
    private static async Task<(SimulatedCluster Sim, KafkaCluster Producer, int Old, int Behind)> StartBehindAsync()
    {
        SimulatedCluster sim = await StartAsync(brokers: 2);
        await sim.CreateTopicAsync(Topic, 1, 2);
        var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers, MetadataMinRefreshInterval = TimeSpan.FromMilliseconds(50) });
        int old = sim.LeaderOf(Topic, 0), behind = 1 - old;
        await ProduceAsync(producer, Topic, 0, 0, 30);
        await sim.StopBrokerAsync(behind);
        await ProduceAsync(producer, Topic, 0, 30, 50);
        return (sim, producer, old, behind);
    }

    /// <summary>The old leader stops, the one behind comes back and is elected uncleanly; it writes new-30..new-39; the old leader rejoins and truncates.</summary>
    private static async Task TruncateAsync(SimulatedCluster sim, KafkaCluster producer, int old, int behind)
    {
        await sim.StopBrokerAsync(old);
        await sim.StartBrokerAsync(behind);
        await sim.ElectUncleanLeaderAsync(Topic, 0, behind);
        await ProduceAsync(producer, Topic, 0, 30, 40, "new-");
        await sim.StartBrokerAsync(old);
    }

    private static long Validations(SimulatedCluster sim) => sim.BrokerIds.Sum(b => sim.RequestCount(b, ApiKey.OffsetForLeaderEpoch));

    [Fact]
    public async Task Truncation_under_the_position_with_a_reset_policy_continues_at_the_divergence_offset_and_warns()
    {
        (SimulatedCluster sim, KafkaCluster producer, int old, int behind) = await StartBehindAsync();
        await using SimulatedCluster _ = sim;
        await using KafkaCluster __ = producer;
        var logs = new CapturingLoggerFactory();
        ConsumerOptions options = Options(sim);
        options.LoggerFactory = logs;
        await using var consumer = new KafkaConsumer<string?, string?>(options);
        consumer.Assign([new TopicPartitionOffset(Topic, 0, TopicPartitionOffset.Beginning)]);
        using var cts = new CancellationTokenSource(Generous);
        var read = new List<(long Offset, string? Value)>();
        Task? truncating = null;
        await foreach (ConsumeResult<string?, string?> message in consumer.ConsumeAsync(cts.Token))
        {
            read.Add((message.Offset, message.Value));
            if (message.Offset == 49) truncating = TruncateAsync(sim, producer, old, behind);
            if (message.Value == "new-39") break;
        }
        await truncating!;

        // Everything the old leader had, then the new leader's records from the divergence offset on: nothing else.
        IEnumerable<(long, string?)> expected = Enumerable.Range(0, 50).Select(i => ((long)i, (string?)$"{i}"))
            .Concat(Enumerable.Range(30, 10).Select(i => ((long)i, (string?)$"new-{i}")));
        Assert.Equal(expected, read);
        Assert.Contains(logs.Messages, m => m.Level == LogLevel.Warning && m.Text.Contains("truncated below the position 50") && m.Text.Contains("offset 30"));
        Assert.Equal(40, consumer.Position(new TopicPartition(Topic, 0)));
    }

    [Fact]
    public async Task Truncation_under_the_position_with_reset_policy_Error_raises_KafkaLogTruncationException_until_the_application_seeks()
    {
        (SimulatedCluster sim, KafkaCluster producer, int old, int behind) = await StartBehindAsync();
        await using SimulatedCluster _ = sim;
        await using KafkaCluster __ = producer;
        ConsumerOptions options = Options(sim);
        options.AutoOffsetReset = AutoOffsetReset.Error;
        await using var consumer = new KafkaConsumer<string?, string?>(options);
        consumer.Assign([new TopicPartitionOffset(Topic, 0, 0)]);
        using var cts = new CancellationTokenSource(Generous);
        Task? truncating = null;
        KafkaLogTruncationException truncated = await Assert.ThrowsAsync<KafkaLogTruncationException>(async () =>
        {
            await foreach (ConsumeResult<string?, string?> message in consumer.ConsumeAsync(cts.Token))
            {
                Assert.Equal($"{message.Offset}", message.Value);
                if (message.Offset == 49) truncating = TruncateAsync(sim, producer, old, behind);
            }
        });
        await truncating!;
        Assert.Equal(new TopicPartition(Topic, 0), truncated.TopicPartition);
        Assert.Equal(50, truncated.Position);
        Assert.Equal(30, truncated.DivergenceOffset);
        Assert.Equal(ErrorCode.OffsetOutOfRange, truncated.ErrorCode);
        Assert.False(truncated.IsRetriable);

        // The application decides: here, read the new leader's records from the divergence offset.
        consumer.Seek(new TopicPartitionOffset(Topic, 0, truncated.DivergenceOffset!.Value));
        var after = new List<string?>();
        await foreach (ConsumeResult<string?, string?> message in consumer.ConsumeAsync(cts.Token))
        {
            after.Add(message.Value);
            if (message.Value == "new-39") break;
        }
        Assert.Equal(Enumerable.Range(30, 10).Select(i => (string?)$"new-{i}"), after);
    }

    [Theory]
    [InlineData(AutoOffsetReset.Earliest)]
    [InlineData(AutoOffsetReset.Error)]
    public async Task A_committed_offset_carries_its_leader_epoch_so_the_next_member_validates_it(AutoOffsetReset policy)
    {
        (SimulatedCluster sim, KafkaCluster producer, int old, int behind) = await StartBehindAsync();
        await using SimulatedCluster _ = sim;
        await using KafkaCluster __ = producer;
        string group = $"validating-{policy}";
        using var cts = new CancellationTokenSource(Generous);
        await using (var first = new KafkaConsumer<string?, string?>(Options(sim, group)))
        {
            first.Subscribe([Topic]);
            await foreach (ConsumeResult<string?, string?> message in first.ConsumeAsync(cts.Token))
            {
                if (message.Offset == 49) break;
            }
            await first.CommitAsync(cts.Token); // commits 50 unless auto-commit already did
            Assert.Equal([new TopicPartitionOffset(Topic, 0, 50)], await first.CommittedAsync([new TopicPartition(Topic, 0)], cts.Token));
        }
        await TruncateAsync(sim, producer, old, behind);

        // The next member starts at the committed 50 (epoch 0), which the new leader's log no longer reaches.
        ConsumerOptions options = Options(sim, group);
        options.AutoOffsetReset = policy;
        await using var second = new KafkaConsumer<string?, string?>(options);
        second.Subscribe([Topic]);
        if (policy == AutoOffsetReset.Error)
        {
            KafkaLogTruncationException truncated = await Assert.ThrowsAsync<KafkaLogTruncationException>(async () =>
            {
                await foreach (ConsumeResult<string?, string?> _ in second.ConsumeAsync(cts.Token)) { }
            });
            Assert.Equal((50L, (long?)30), (truncated.Position, truncated.DivergenceOffset));
            return;
        }
        var read = new List<(long, string?)>();
        await foreach (ConsumeResult<string?, string?> message in second.ConsumeAsync(cts.Token))
        {
            read.Add((message.Offset, message.Value));
            if (message.Value == "new-39") break;
        }
        Assert.Equal(Enumerable.Range(30, 10).Select(i => ((long)i, (string?)$"new-{i}")), read);
    }

    [Fact]
    public async Task A_plain_leader_move_costs_one_validation_and_loses_or_repeats_nothing()
    {
        await using SimulatedCluster sim = await StartAsync();
        await sim.CreateTopicAsync("validated", 1, 3);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        await ProduceAsync(producer, "validated", 0, 0, 300);
        await using var consumer = new KafkaConsumer<string?, string?>(Options(sim));
        consumer.Assign([new TopicPartitionOffset("validated", 0, 0)]);
        using var cts = new CancellationTokenSource(Generous);
        long next = 0;
        Task? producing = null;
        await foreach (ConsumeResult<string?, string?> message in consumer.ConsumeAsync(cts.Token))
        {
            Assert.Equal(next, message.Offset);
            Assert.Equal($"{next}", message.Value);
            next++;
            if (next == 100)
            {
                Assert.Equal(0, Validations(sim));
                int leader = sim.LeaderOf("validated", 0);
                await sim.MoveLeaderAsync("validated", 0, sim.BrokerIds.First(b => b != leader));
                producing = ProduceAsync(producer, "validated", 0, 300, 600);
            }
            if (next == 600) break;
        }
        await producing!;
        Assert.Equal(1, Validations(sim));
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory
    {
        public ConcurrentQueue<(LogLevel Level, string Text)> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(Messages);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<(LogLevel Level, string Text)> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue((logLevel, formatter(state, exception)));
        }
    }
}
