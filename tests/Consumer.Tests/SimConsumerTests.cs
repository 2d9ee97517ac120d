using System.Collections.Concurrent;
using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim;
using static KafkaNative.Consumer.Tests.SimHelpers;

namespace KafkaNative.Consumer.Tests;

public class SimConsumerTests
{
    [Fact]
    public async Task Assign_FromBeginning_ReadsEveryMessageInOrder_WithPositionAndLag()
    {
        await using SimulatedCluster sim = await StartAsync();
        await sim.CreateTopicAsync("a", 3, 3);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        for (int p = 0; p < 3; p++) await ProduceAsync(producer, "a", p, 0, 500);

        await using var consumer = new KafkaConsumer<string?, string?>(Options(sim));
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartitionOffset("a", p, TopicPartitionOffset.Beginning)));
        var next = new int[3];
        using var cts = new CancellationTokenSource(Generous);
        int total = 0;
        await foreach (var message in consumer.ConsumeAsync(cts.Token))
        {
            Assert.Equal($"{next[message.Partition]}", message.Value);
            Assert.Equal($"k{next[message.Partition]}", message.Key);
            Assert.Equal(next[message.Partition], message.Offset);
            next[message.Partition]++;
            if (++total == 1500) break;
        }
        Assert.All(next, n => Assert.Equal(500, n));
        Assert.Equal(499, consumer.Position(new TopicPartition("a", 0)) is var pos && pos >= 499 ? 499 : pos);
        Assert.Equal((0L, 500L), await consumer.QueryWatermarkOffsetsAsync(new TopicPartition("a", 1), cts.Token));

        // Seek back and read again.
        consumer.Seek(new TopicPartitionOffset("a", 2, 490));
        await foreach (var message in consumer.ConsumeAsync(cts.Token))
        {
            if (message.Partition != 2) continue;
            Assert.Equal(490, message.Offset);
            break;
        }
    }

    [Fact]
    public async Task LeaderMovedDuringFetching_NoGapsNoDuplicates()
    {
        await using SimulatedCluster sim = await StartAsync();
        await sim.CreateTopicAsync("moving", 2, 3);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        await ProduceAsync(producer, "moving", 0, 0, 300);
        await ProduceAsync(producer, "moving", 1, 0, 300);

        await using var consumer = new KafkaConsumer<string?, string?>(Options(sim));
        consumer.Assign([new TopicPartitionOffset("moving", 0, 0), new TopicPartitionOffset("moving", 1, 0)]);
        var next = new long[2];
        using var cts = new CancellationTokenSource(Generous);
        bool moved = false;
        Task? producing = null;
        await foreach (var message in consumer.ConsumeAsync(cts.Token))
        {
            Assert.Equal(next[message.Partition], message.Offset);
            next[message.Partition]++;
            if (!moved && next[0] >= 100)
            {
                moved = true;
                int leader = sim.LeaderOf("moving", 0);
                int target = sim.BrokerIds.First(b => b != leader);
                await sim.MoveLeaderAsync("moving", 0, target);
                producing = Task.Run(async () =>
                {
                    await ProduceAsync(producer, "moving", 0, 300, 600);
                    await ProduceAsync(producer, "moving", 1, 300, 600);
                });
            }
            if (next[0] == 600 && next[1] == 600) break;
        }
        await producing!;
        Assert.Equal([600L, 600L], next);
    }

    [Fact]
    public async Task SlowHandlerOnOnePartition_DoesNotStopTheOthersOnTheSameBroker()
    {
        await using SimulatedCluster sim = await StartAsync(brokers: 1);
        await sim.CreateTopicAsync("slow", 2, 1);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        await ProduceAsync(producer, "slow", 0, 0, 3000);
        await ProduceAsync(producer, "slow", 1, 0, 3000);

        ConsumerOptions options = Options(sim);
        options.QueuedMessagesPerPartition = 256;
        options.MaxPartitionFetchBytes = 4096;
        options.MaxProcessingTime = TimeSpan.FromMilliseconds(50);
        await using var consumer = new KafkaConsumer<string?, string?>(options);
        consumer.Assign([new TopicPartitionOffset("slow", 0, 0), new TopicPartitionOffset("slow", 1, 0)]);

        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fastDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int slowCount = 0, fastCount = 0, slowWhenFastFinished = -1;
        using var cts = new CancellationTokenSource(Generous);
        Task run = consumer.ConsumeAsync(async (message, ct) =>
        {
            if (message.Partition == 0)
            {
                // Stuck on the first message until partition 1 got everything.
                await release.Task.WaitAsync(ct);
                if (Interlocked.Increment(ref slowCount) == 3000) fastDone.TrySetResult();
            }
            else if (Interlocked.Increment(ref fastCount) == 3000)
            {
                slowWhenFastFinished = Volatile.Read(ref slowCount);
                release.TrySetResult();
            }
        }, cts.Token);

        await release.Task.WaitAsync(Generous);
        Assert.Equal(0, slowWhenFastFinished);   // partition 1 finished while partition 0 was stuck on its first message
        await fastDone.Task.WaitAsync(Generous);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(3000, fastCount);
    }

    [Fact]
    public async Task OffsetResetAgainstAStaleLeader_RefreshesMetadataAndAsksTheNewLeader()
    {
        // The chaos matrix's kill-restart flake: a reset's ListOffsets got NOT_LEADER_OR_FOLLOWER from the
        // partition's old leader, and the dispatcher asked the same old leader again for ever.
        await using SimulatedCluster sim = await StartAsync();
        await sim.CreateTopicAsync("stale", 2, 3);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        await ProduceAsync(producer, "stale", 0, 0, 10);
        await ProduceAsync(producer, "stale", 1, 0, 10);

        await using var consumer = new KafkaConsumer<string?, string?>(Options(sim));
        var moved = new TopicPartition("stale", 1);
        consumer.Assign([new TopicPartitionOffset("stale", 0, 0), new TopicPartitionOffset("stale", 1, 0)]);
        consumer.Pause([moved]);
        using var cts = new CancellationTokenSource(Generous);
        await foreach (var message in consumer.ConsumeAsync(cts.Token))
        {
            Assert.Equal(0, message.Partition);
            break; // the consumer's metadata now names partition 1's leader
        }
        int leader = sim.LeaderOf("stale", 1);
        await sim.MoveLeaderAsync("stale", 1, sim.BrokerIds.First(b => b != leader));

        // Paused, partition 1 is not fetched, so only the reset's ListOffsets can learn of the move.
        consumer.Seek(new TopicPartitionOffset("stale", 1, TopicPartitionOffset.Beginning));
        consumer.Resume([moved]);
        await foreach (var message in consumer.ConsumeAsync(cts.Token))
        {
            if (message.Partition != 1) continue;
            Assert.Equal(0, message.Offset);
            break;
        }
    }

    [Fact]
    public async Task OffsetOutOfRange_FollowsTheResetPolicy()
    {
        await using SimulatedCluster sim = await StartAsync(brokers: 1);
        await sim.CreateTopicAsync("reset", 1, 1);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        await ProduceAsync(producer, "reset", 0, 0, 10);

        await using (var earliest = new KafkaConsumer<string?, string?>(Options(sim)))
        {
            earliest.Assign([new TopicPartitionOffset("reset", 0, 1000)]);
            using var cts = new CancellationTokenSource(Generous);
            await foreach (var message in earliest.ConsumeAsync(cts.Token))
            {
                Assert.Equal(0, message.Offset);
                break;
            }
        }
        ConsumerOptions strict = Options(sim);
        strict.AutoOffsetReset = AutoOffsetReset.Error;
        await using var error = new KafkaConsumer<string?, string?>(strict);
        error.Assign([new TopicPartitionOffset("reset", 0, 1000)]);
        using var timeout = new CancellationTokenSource(Generous);
        var thrown = await Assert.ThrowsAsync<KafkaConsumeException>(async () =>
        {
            await foreach (var _ in error.ConsumeAsync(timeout.Token)) { }
        });
        Assert.Equal(ErrorCode.OffsetOutOfRange, thrown.ErrorCode);
    }

    [Fact]
    public async Task GroupMemberKilledMidStream_PartitionsMove_NothingLost_DuplicatesOnlyUncommitted()
    {
        await using SimulatedCluster sim = await StartAsync();
        await sim.CreateTopicAsync("kill", 4, 3);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        const int PerPartition = 400;
        for (int p = 0; p < 4; p++) await ProduceAsync(producer, "kill", p, 0, PerPartition, $"{p}:");

        var seen = new ConcurrentDictionary<string, int>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        ConsumerOptions optionsA = Options(sim, "g-kill");
        optionsA.EnableAutoCommit = false;
        var a = new KafkaConsumer<string?, string?>(optionsA);
        a.Subscribe(["kill"]);
        var afterCommit = new HashSet<string>();
        int readByA = 0;
        bool committed = false;
        await foreach (var message in a.ConsumeAsync(cts.Token))
        {
            seen.AddOrUpdate(message.Value!, 1, (_, n) => n + 1);
            if (committed) afterCommit.Add(message.Value!);
            if (++readByA == 300)
            {
                // Consumed = everything before this message; commit that, then read on without committing.
                await a.CommitAsync(cts.Token);
                committed = true;
                afterCommit.Add(message.Value!);
            }
            if (readByA == 500) break;
        }
        await a.AbandonAsync();   // a crash: no commit, no LeaveGroup

        ConsumerOptions optionsB = Options(sim, "g-kill");
        await using var b = new KafkaConsumer<string?, string?>(optionsB);
        b.Subscribe(["kill"]);
        await foreach (var message in b.ConsumeAsync(cts.Token))
        {
            seen.AddOrUpdate(message.Value!, 1, (_, n) => n + 1);
            if (seen.Count == 4 * PerPartition) break;
        }
        Assert.Equal(4 * PerPartition, seen.Count);
        var duplicates = seen.Where(kv => kv.Value > 1).Select(kv => kv.Key).ToList();
        Assert.All(duplicates, d => Assert.Contains(d, afterCommit));
        Assert.All(seen.Values, n => Assert.InRange(n, 1, 2));
    }

    [Fact]
    public async Task TwoMembers_SplitPartitions_AndTheSurvivorTakesOverWhenOneLeaves()
    {
        await using SimulatedCluster sim = await StartAsync();
        await sim.CreateTopicAsync("split", 4, 3);
        ConsumerOptions options = Options(sim, "g-split");
        options.AssignmentStrategies = [PartitionAssignmentStrategy.CooperativeSticky];
        await using var a = new KafkaConsumer<string?, string?>(options);
        var b = new KafkaConsumer<string?, string?>(options);
        var lostOrRevokedA = new ConcurrentBag<TopicPartition>();
        a.PartitionsRevoked = (partitions, _) => { foreach (var p in partitions) lostOrRevokedA.Add(p); return ValueTask.CompletedTask; };
        a.Subscribe(["split"]);
        await Eventually.TrueAsync(() => a.Assignment.Count == 4, "a to own all 4 partitions");
        b.Subscribe(["split"]);
        await Eventually.TrueAsync(() => a.Assignment.Count == 2 && b.Assignment.Count == 2, "a 2/2 split");
        Assert.Empty(a.Assignment.Intersect(b.Assignment));
        Assert.Equal(2, lostOrRevokedA.Count);  // cooperative: only what moved was revoked
        await b.DisposeAsync();                  // leaves the group
        await Eventually.TrueAsync(() => a.Assignment.Count == 4, "a to take the partitions back");
    }

    [Fact]
    public async Task CoordinatorBrokerRestarted_GroupKeepsConsumingEverything()
    {
        await using SimulatedCluster sim = await StartAsync();
        await sim.CreateTopicAsync("coord", 3, 3);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        for (int p = 0; p < 3; p++) await ProduceAsync(producer, "coord", p, 0, 200, $"{p}:");

        int coordinator = await FindCoordinatorAsync(producer, "g-coord");

        await using var consumer = new KafkaConsumer<string?, string?>(Options(sim, "g-coord"));
        consumer.Subscribe(["coord"]);
        var seen = new ConcurrentDictionary<string, int>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        bool restarted = false;
        Task? producing = null;
        await foreach (var message in consumer.ConsumeAsync(cts.Token))
        {
            seen.TryAdd(message.Value!, 0);
            if (!restarted && seen.Count >= 300)
            {
                restarted = true;
                await sim.StopBrokerAsync(coordinator);
                producing = Task.Run(async () =>
                {
                    for (int p = 0; p < 3; p++) await ProduceAsync(producer, "coord", p, 200, 400, $"{p}:");
                    await sim.StartBrokerAsync(coordinator);
                });
            }
            if (seen.Count == 1200) break;
        }
        await producing!;
        Assert.Equal(1200, seen.Count);
        // The group still works: once it settled after the move, a commit goes through the coordinator.
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await consumer.CommitAsync(cts.Token);
                return true;
            }
            catch (KafkaErrorException error) when (error.ErrorCode is ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId or ErrorCode.RebalanceInProgress)
            {
                return false;   // the member rejoins with the new coordinator
            }
        }, () => "a commit through the new coordinator");
    }
}
