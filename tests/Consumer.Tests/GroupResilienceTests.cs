using System.Collections.Concurrent;
using KafkaNative.Client;
using KafkaNative.Admin;
using KafkaNative.Protocol;
using KafkaNative.Sim;
using static KafkaNative.Consumer.Tests.SimHelpers;

namespace KafkaNative.Consumer.Tests;

/// <summary>Group membership that survives slow applications, leaves cleanly, and commits what was processed.</summary>
public class GroupResilienceTests
{
    /// <summary>A cluster whose groups accept the short session timeouts these tests use.</summary>
    private static Task<SimulatedCluster> StartFastGroupsAsync(int brokers = 1) =>
        SimulatedCluster.StartAsync(new ClusterOptions { Brokers = brokers, BasePort = 0, GroupMinSessionTimeoutMs = 500 });

    [Fact]
    public async Task AssignCallbackSlowerThanTheSessionTimeout_KeepsTheMembership()
    {
        await using SimulatedCluster sim = await StartFastGroupsAsync();
        await sim.CreateTopicAsync("slow-cb", 2, 1);
        ConsumerOptions options = Options(sim, "g-slow-cb");
        options.SessionTimeout = TimeSpan.FromSeconds(1.5);
        options.HeartbeatInterval = TimeSpan.FromMilliseconds(300);
        options.EnableAutoCommit = false;
        await using var consumer = new KafkaConsumer<string?, string?>(options);
        int assignedCalls = 0, lostCalls = 0;
        var callbackDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        consumer.PartitionsAssigned = async (_, ct) =>
        {
            if (Interlocked.Increment(ref assignedCalls) > 1) return;
            await Task.Delay(TimeSpan.FromSeconds(3), ct);   // the application's slow start: twice the session timeout
            callbackDone.TrySetResult();
        };
        consumer.PartitionsLost = (_, _) => { Interlocked.Increment(ref lostCalls); return ValueTask.CompletedTask; };
        consumer.Subscribe(["slow-cb"]);
        await callbackDone.Task.WaitAsync(Generous);
        string memberId = consumer.MemberId;

        // Still the same member of the same generation: a commit with its generation goes through.
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        await ProduceAsync(producer, "slow-cb", 0, 0, 1);
        using var cts = new CancellationTokenSource(Generous);
        await foreach (var message in consumer.ConsumeAsync(cts.Token))
        {
            await consumer.CommitAsync([new TopicPartitionOffset(message.TopicPartition, message.Offset + 1)], cts.Token);
            break;
        }
        Assert.Equal(0, lostCalls);
        Assert.Equal(1, assignedCalls);
        Assert.Equal(memberId, consumer.MemberId);
        Assert.Equal(2, consumer.Assignment.Count);
    }

    [Fact]
    public async Task RevokeCallbackSlowerThanTheSessionTimeout_KeepsTheMembershipThroughTheRebalance()
    {
        await using SimulatedCluster sim = await StartFastGroupsAsync();
        await sim.CreateTopicAsync("slow-revoke", 2, 1);
        ConsumerOptions options = Options(sim, "g-slow-revoke");
        options.SessionTimeout = TimeSpan.FromSeconds(1.5);
        options.HeartbeatInterval = TimeSpan.FromMilliseconds(300);
        await using var first = new KafkaConsumer<string?, string?>(options);
        int lost = 0;
        var revokeDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        first.PartitionsRevoked = async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3), ct);   // twice the session timeout
            revokeDone.TrySetResult();
        };
        first.PartitionsLost = (_, _) => { Interlocked.Increment(ref lost); return ValueTask.CompletedTask; };
        first.Subscribe(["slow-revoke"]);
        await Eventually.TrueAsync(() => first.Assignment.Count == 2, "the first member to own both partitions");
        string memberId = first.MemberId;

        await using var second = new KafkaConsumer<string?, string?>(options);
        second.Subscribe(["slow-revoke"]);
        await revokeDone.Task.WaitAsync(Generous);
        await Eventually.TrueAsync(() => first.Assignment.Count == 1 && second.Assignment.Count == 1, "a 1/1 split");
        Assert.Equal(0, Volatile.Read(ref lost));
        Assert.Equal(memberId, first.MemberId);   // the coordinator never dropped it
    }

    [Fact]
    public async Task CallbackRunningLongerThanMaxPollInterval_TheMemberLeaves()
    {
        await using SimulatedCluster sim = await StartFastGroupsAsync();
        await sim.CreateTopicAsync("stuck-cb", 2, 1);
        ConsumerOptions options = ShortMaxPollOptions(sim, "g-stuck-cb");
        await using var healthy = new KafkaConsumer<string?, string?>(options);
        healthy.Subscribe(["stuck-cb"]);
        using var cts = new CancellationTokenSource(Generous);
        Task healthyReading = Task.Run(async () =>
        {
            await foreach (var _ in healthy.ConsumeAsync(cts.Token)) { }
        });
        await Eventually.TrueAsync(() => healthy.Assignment.Count == 2, "the healthy member to own both partitions");

        await using var stuck = new KafkaConsumer<string?, string?>(options);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        stuck.PartitionsAssigned = async (_, ct) => await release.Task.WaitAsync(ct);   // stuck until the test releases it
        stuck.Subscribe(["stuck-cb"]);
        Task stuckReading = Task.Run(async () =>
        {
            await foreach (var _ in stuck.ConsumeAsync(cts.Token)) { }   // waiting for records counts as present; the callback does not
        });
        await Eventually.TrueAsync(() => healthy.Assignment.Count == 1, "the stuck member to join");
        await Eventually.TrueAsync(() => healthy.Assignment.Count == 2, "the stuck member to leave", TimeSpan.FromSeconds(20));
        release.TrySetResult();
        await Assert.ThrowsAsync<MaxPollIntervalExceededException>(() => stuckReading);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => healthyReading);
    }

    [Fact]
    public async Task DisposedMember_LeavesTheGroup_SurvivorGetsItsPartitionsWellBeforeTheSessionTimeout()
    {
        await using SimulatedCluster sim = await StartFastGroupsAsync();
        await sim.CreateTopicAsync("leave", 4, 1);
        ConsumerOptions options = Options(sim, "g-leave");
        options.SessionTimeout = TimeSpan.FromSeconds(45);
        await using var survivor = new KafkaConsumer<string?, string?>(options);
        var leaving = new KafkaConsumer<string?, string?>(options);
        survivor.Subscribe(["leave"]);
        leaving.Subscribe(["leave"]);
        await Eventually.TrueAsync(() => survivor.Assignment.Count == 2 && leaving.Assignment.Count == 2, "a 2/2 split");

        await leaving.DisposeAsync();
        await Eventually.TrueAsync(() => survivor.Assignment.Count == 4, "the survivor to get every partition", TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task CommitInPartitionsRevoked_CommitsTheLastProcessedOffsets_TheNextOwnerStartsThere()
    {
        await using SimulatedCluster sim = await StartFastGroupsAsync();
        await sim.CreateTopicAsync("revoke", 2, 1);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        for (int p = 0; p < 2; p++) await ProduceAsync(producer, "revoke", p, 0, 100, $"{p}:");

        ConsumerOptions options = Options(sim, "g-revoke");
        options.EnableAutoCommit = false;
        await using var first = new KafkaConsumer<string?, string?>(options);
        var committedInRevoke = new TaskCompletionSource<IReadOnlyList<TopicPartitionOffset>>(TaskCreationOptions.RunContinuationsAsynchronously);
        first.PartitionsRevoked = async (_, ct) => committedInRevoke.TrySetResult(await first.CommitAsync(ct));
        first.Subscribe(["revoke"]);
        using var cts = new CancellationTokenSource(Generous);
        var readAll = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seenByFirst = new ConcurrentBag<string>();
        Task reading = Task.Run(async () =>
        {
            await foreach (var message in first.ConsumeAsync(cts.Token))
            {
                seenByFirst.Add(message.Value!);
                if (seenByFirst.Count == 200) readAll.TrySetResult();
            }
        });
        await readAll.Task.WaitAsync(Generous);

        await using var second = new KafkaConsumer<string?, string?>(options);
        second.Subscribe(["revoke"]);
        IReadOnlyList<TopicPartitionOffset> committed = await committedInRevoke.Task.WaitAsync(Generous);
        Assert.Equal([new TopicPartitionOffset("revoke", 0, 100), new TopicPartitionOffset("revoke", 1, 100)], committed.OrderBy(o => o.Partition));

        await Eventually.TrueAsync(() => second.Assignment.Count == 1 && first.Assignment.Count == 1, "a 1/1 split");
        TopicPartition secondOwns = second.Assignment[0];
        await ProduceAsync(producer, "revoke", secondOwns.Partition, 100, 110, $"{secondOwns.Partition}:");
        await foreach (var message in second.ConsumeAsync(cts.Token))
        {
            Assert.Equal(100, message.Offset);   // no re-reads
            break;
        }
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
        Assert.Equal(200, seenByFirst.Distinct().Count());
    }

    [Fact]
    public async Task RevokeWhileTheApplicationHoldsAMessage_WaitsForIt_SoTheCommitInTheCallbackIncludesIt()
    {
        await using SimulatedCluster sim = await StartFastGroupsAsync();
        await sim.CreateTopicAsync("in-hand", 2, 1);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        for (int p = 0; p < 2; p++) await ProduceAsync(producer, "in-hand", p, 0, 10, $"{p}:");
        await using var admin = new KafkaAdminClient(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });

        ConsumerOptions options = Options(sim, "g-in-hand");
        options.EnableAutoCommit = false;
        await using var first = new KafkaConsumer<string?, string?>(options);
        var committedInRevoke = new TaskCompletionSource<IReadOnlyList<TopicPartitionOffset>>(TaskCreationOptions.RunContinuationsAsynchronously);
        first.PartitionsRevoked = async (_, ct) => committedInRevoke.TrySetResult(await first.CommitAsync(ct));
        first.Subscribe(["in-hand"]);
        await using var second = new KafkaConsumer<string?, string?>(options);
        using var cts = new CancellationTokenSource(Generous);
        int read = 0;
        await foreach (var message in first.ConsumeAsync(cts.Token))
        {
            if (++read < 20) continue;
            // The last message in hand: a member joins, and the rebalance starts while this one is being processed.
            second.Subscribe(["in-hand"]);
            await Eventually.TrueAsync(async () => (await admin.DescribeGroupsAsync(["g-in-hand"], cts.Token))[0].State == "PreparingRebalance", () => "the rebalance under way");
            // Two more heartbeats of this member: it has heard of the rebalance and is revoking by now.
            long heartbeats = sim.RequestCount(sim.BrokerIds[0], ApiKey.Heartbeat);
            await Eventually.TrueAsync(() => sim.RequestCount(sim.BrokerIds[0], ApiKey.Heartbeat) >= heartbeats + 2 || committedInRevoke.Task.IsCompleted, "two more heartbeats");
            Assert.False(committedInRevoke.Task.IsCompleted);   // the callback waits for this message
            break;
        }
        IReadOnlyList<TopicPartitionOffset> committed = await committedInRevoke.Task.WaitAsync(Generous);
        Assert.Equal([new TopicPartitionOffset("in-hand", 0, 10), new TopicPartitionOffset("in-hand", 1, 10)], committed.OrderBy(o => o.Partition));
    }

    [Fact]
    public async Task BreakOutOfAwaitForeach_CountsTheLastRecordAsConsumed()
    {
        await using SimulatedCluster sim = await StartAsync(brokers: 1);
        await sim.CreateTopicAsync("break", 1, 1);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        await ProduceAsync(producer, "break", 0, 0, 10);
        ConsumerOptions options = Options(sim, "g-break");
        options.EnableAutoCommit = false;
        await using var consumer = new KafkaConsumer<string?, string?>(options);
        var partition = new TopicPartition("break", 0);
        consumer.Assign([new TopicPartitionOffset(partition, 0)]);
        using var cts = new CancellationTokenSource(Generous);
        await foreach (var message in consumer.ConsumeAsync(cts.Token))
        {
            if (message.Offset == 4) break;
        }
        Assert.Equal(5, consumer.Position(partition));
        Assert.Equal([new TopicPartitionOffset(partition, 5)], await consumer.CommitAsync(cts.Token));

        // The next loop continues after the record the first one broke out on.
        await foreach (var message in consumer.ConsumeAsync(cts.Token))
        {
            Assert.Equal(5, message.Offset);
            break;
        }
    }

    [Fact]
    public async Task ApplicationAwayLongerThanMaxPollInterval_MemberLeaves_ThenRejoinsWhenTheApplicationComesBack()
    {
        await using SimulatedCluster sim = await StartFastGroupsAsync();
        await sim.CreateTopicAsync("poll", 2, 1);
        ConsumerOptions options = ShortMaxPollOptions(sim, "g-poll");
        await using var busy = new KafkaConsumer<string?, string?>(options);
        await using var away = new KafkaConsumer<string?, string?>(options);
        int lost = 0;
        away.PartitionsLost = (partitions, _) => { Interlocked.Add(ref lost, partitions.Count); return ValueTask.CompletedTask; };
        busy.Subscribe(["poll"]);
        using var cts = new CancellationTokenSource(Generous);
        Task busyReading = Task.Run(async () =>
        {
            await foreach (var _ in busy.ConsumeAsync(cts.Token)) { }
        });
        away.Subscribe(["poll"]);   // and never asks for records
        await Eventually.TrueAsync(() => away.Assignment.Count == 1, "the away member to get a partition");

        // Left after MaxPollInterval, long before the session timeout: the busy member gets everything.
        await Eventually.TrueAsync(() => busy.Assignment.Count == 2 && away.Assignment.Count == 0, "the away member to leave", TimeSpan.FromSeconds(20));
        Assert.Equal(1, Volatile.Read(ref lost));

        await Assert.ThrowsAsync<MaxPollIntervalExceededException>(async () =>
        {
            await foreach (var _ in away.ConsumeAsync(cts.Token)) { }
        });
        Task awayReading = Task.Run(async () =>
        {
            await foreach (var _ in away.ConsumeAsync(cts.Token)) { }
        });
        await Eventually.TrueAsync(() => away.Assignment.Count == 1 && busy.Assignment.Count == 1, "the member to rejoin");
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => busyReading);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => awayReading);
    }

    [Fact]
    public async Task WithoutAutomaticOffsetStore_OnlyStoredOffsetsAreCommitted()
    {
        await using SimulatedCluster sim = await StartAsync(brokers: 1);
        await sim.CreateTopicAsync("store", 1, 1);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        await ProduceAsync(producer, "store", 0, 0, 10);
        ConsumerOptions options = Options(sim, "g-store");
        options.EnableAutoCommit = false;
        options.EnableAutoOffsetStore = false;
        await using var consumer = new KafkaConsumer<string?, string?>(options);
        var partition = new TopicPartition("store", 0);
        consumer.Assign([new TopicPartitionOffset(partition, 0)]);
        using var cts = new CancellationTokenSource(Generous);
        ConsumeResult<string?, string?>? third = null;
        await foreach (var message in consumer.ConsumeAsync(cts.Token))
        {
            if (message.Offset == 2) third = message;
            if (message.Offset == 8) break;
        }
        Assert.Equal(0, consumer.Position(partition));   // nothing stored yet
        consumer.StoreOffset(third!);
        Assert.Equal([new TopicPartitionOffset(partition, 3)], await consumer.CommitAsync(cts.Token));

        await consumer.CommitAsync(third!, cts.Token);   // explicit commit of one record
        Assert.Equal([new TopicPartitionOffset(partition, 3)], await consumer.CommittedAsync([partition], cts.Token));
        Assert.Throws<InvalidOperationException>(() => consumer.StoreOffset(new TopicPartitionOffset("other", 0, 1)));
    }

    /// <summary>A session far longer than the poll interval, so only MaxPollInterval can end a membership.</summary>
    private static ConsumerOptions ShortMaxPollOptions(SimulatedCluster sim, string group)
    {
        ConsumerOptions options = Options(sim, group);
        options.SessionTimeout = TimeSpan.FromSeconds(45);
        options.HeartbeatInterval = TimeSpan.FromMilliseconds(200);
        options.MaxPollInterval = TimeSpan.FromSeconds(2);
        return options;
    }
}
