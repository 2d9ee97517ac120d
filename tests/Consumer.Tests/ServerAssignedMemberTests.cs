using System.Collections.Concurrent;
using KafkaNative.Sim;
using static KafkaNative.Consumer.Tests.SimHelpers;

namespace KafkaNative.Consumer.Tests;

/// <summary>
/// Our members of a KIP-848 consumer-protocol group on the Sim's coordinator: they join, split the partitions,
/// hand them over one at a time as members come and go (never owned by two at once, from the coordinator's view),
/// and read every record once, resuming from the offsets they committed with their member epochs.
/// </summary>
public class ServerAssignedMemberTests
{
    private const string Topic = "kip848";

    [Fact]
    public async Task MembersJoinAndLeave_PartitionsMoveWithoutDoubleOwnership_EveryRecordReadOnce()
    {
        await using SimulatedCluster sim = await StartAsync();
        await sim.CreateTopicAsync(Topic, 6, 3);
        const string group = "kip848-members";
        var read = new ConcurrentDictionary<string, int>();
        await using var writer = new Client.KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        int batches = 0;
        async Task WriteAsync(int count)
        {
            int batch = batches++;
            for (int p = 0; p < 6; p++) await ProduceAsync(writer, Topic, p, 0, count / 6, $"b{batch}-p{p}-");
        }

        await using var first = new Member(sim, group, read);
        await WriteAsync(120);
        await Eventually.TrueAsync(() => first.Consumer.Assignment.Count == 6 && read.Count == 120, () => $"the first member to own all 6 and read 120 (read {read.Count}, error {first.Error}, assigned {first.Consumer.Assignment.Count}, member '{first.Consumer.MemberId}', sim: {Describe(sim.ConsumerGroup(group))})");

        await using var second = new Member(sim, group, read);
        var third = new Member(sim, group, read);
        await Eventually.TrueAsync(() => first.Consumer.Assignment.Count == 2 && second.Consumer.Assignment.Count == 2 && third.Consumer.Assignment.Count == 2,
            () => $"a 2/2/2 split (now {first.Consumer.Assignment.Count}/{second.Consumer.Assignment.Count}/{third.Consumer.Assignment.Count})");
        await WriteAsync(120);
        await Eventually.TrueAsync(() => read.Count == 240, () => $"240 read (read {read.Count})");

        // The third leaves (epoch -1): its partitions go to the others, which resume from its commits.
        await third.DisposeAsync();
        await Eventually.TrueAsync(() => first.Consumer.Assignment.Count + second.Consumer.Assignment.Count == 6, "the leaver's partitions taken over");
        await WriteAsync(120);
        await Eventually.TrueAsync(() => read.Count == 360, () => $"360 read (read {read.Count})");

        Assert.All(read, r => Assert.True(r.Value == 1, $"{r.Key} read {r.Value} times"));
        ConsumerGroupView view = sim.ConsumerGroup(group)!;
        Assert.False(view.HasDoubleOwnership, view.FirstDoubleOwnership);
        Assert.Equal(2, view.MemberEpochs.Count);
        Assert.Contains(first.Consumer.MemberId, view.MemberEpochs.Keys);
    }

    [Fact]
    public async Task AFencedMember_LosesItsPartitionsAndRejoins()
    {
        await using SimulatedCluster sim = await StartAsync();
        await sim.CreateTopicAsync(Topic, 3, 3);
        const string group = "kip848-fenced";
        var read = new ConcurrentDictionary<string, int>();
        await using var member = new Member(sim, group, read);
        await Eventually.TrueAsync(() => member.Consumer.Assignment.Count == 3, "the member to own all 3");
        string before = member.Consumer.MemberId;
        // A coordinator that answers FENCED_MEMBER_EPOCH once makes the member drop everything and join again.
        sim.InjectError(Protocol.ApiKey.ConsumerGroupHeartbeat, Protocol.ErrorCode.FencedMemberEpoch, 1.0);
        await Eventually.TrueAsync(() => member.Lost > 0, "the partitions to be lost");
        sim.ClearInjectedErrors();
        await Eventually.TrueAsync(() => member.Consumer.Assignment.Count == 3, "the member to own all 3 again");
        Assert.Equal(before, member.Consumer.MemberId);
    }

    [Fact]
    public async Task AStaticMember_LeavesTemporarily_AndItsRestartTakesItsPartitionsBack()
    {
        await using SimulatedCluster sim = await StartAsync();
        await sim.CreateTopicAsync(Topic, 4, 3);
        const string group = "kip848-static";
        var read = new ConcurrentDictionary<string, int>();
        await using var other = new Member(sim, group, read);
        var first = new Member(sim, group, read, instanceId: "static-1", rack: "rack-a");
        await Eventually.TrueAsync(() => first.Consumer.Assignment.Count == 2 && other.Consumer.Assignment.Count == 2, "a 2/2 split");
        IReadOnlyList<TopicPartition> held = [.. first.Consumer.Assignment.Order()];
        int epochBefore = sim.ConsumerGroup(group)!.GroupEpoch;

        // Closing a static member sends epoch -2: the coordinator keeps its partitions for its return.
        await first.DisposeAsync();
        await using var restarted = new Member(sim, group, read, instanceId: "static-1", rack: "rack-a");
        await Eventually.TrueAsync(() => restarted.Consumer.Assignment.Count == 2, "the restarted static member to get its partitions");
        Assert.Equal(held, restarted.Consumer.Assignment.Order());
        Assert.Equal(2, other.Consumer.Assignment.Count);
        Assert.Equal(epochBefore, sim.ConsumerGroup(group)!.GroupEpoch);
        Assert.False(sim.ConsumerGroup(group)!.HasDoubleOwnership);
    }

    private static string Describe(ConsumerGroupView? view) => view is null ? "no group"
        : $"state {view.State} epoch {view.GroupEpoch} members [{string.Join(", ", view.MemberEpochs.Select(m => $"{m.Key}@{m.Value}"))}] owners {view.Owners.Count} targets [{string.Join("; ", view.Targets.Select(t => $"{t.Key}: {t.Value.Count}"))}]";

    /// <summary>One of our consumers in the group, reading in the background and counting each record it reads.</summary>
    private sealed class Member : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _reading;
        private int _lost;

        public Member(SimulatedCluster sim, string group, ConcurrentDictionary<string, int> read, string? instanceId = null, string? rack = null)
        {
            ConsumerOptions options = Options(sim, group);
            options.GroupProtocol = GroupProtocol.Consumer;
            options.GroupInstanceId = instanceId;
            options.ClientRack = rack;
            Consumer = new KafkaConsumer<string, string>(options)
            {
                PartitionsLost = (partitions, _) =>
                {
                    Interlocked.Add(ref _lost, partitions.Count);
                    return ValueTask.CompletedTask;
                },
            };
            Consumer.Subscribe([Topic]);
            _reading = Task.Run(async () =>
            {
                try
                {
                    await foreach (ConsumeResult<string, string> result in Consumer.ConsumeAsync(_stop.Token)) read.AddOrUpdate(result.Value!, 1, (_, n) => n + 1);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                }
                catch (Exception e)
                {
                    Error = e;
                    throw;
                }
            });
        }

        public KafkaConsumer<string, string> Consumer { get; }

        public int Lost => Volatile.Read(ref _lost);

        /// <summary>What ended the reading loop, if anything did.</summary>
        public Exception? Error { get; private set; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _reading;
            await Consumer.DisposeAsync();
        }
    }
}
