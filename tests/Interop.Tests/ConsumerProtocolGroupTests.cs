using System.Text;
using KafkaNative.Producer;
using KafkaNative.Sim;
using Xunit.Abstractions;
using Rd = Confluent.Kafka;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// librdkafka 2.16 members with <c>group.protocol=consumer</c> (KIP-848) in one group on the Sim, with each server-side
/// assignor: they join, more join and leave while records flow, one is killed (no leave: the coordinator expires it after
/// the consumer-group session timeout and its partitions move), and a new member resumes from the group's commits.
/// Every record is consumed exactly once, and a watcher of the coordinator's view never sees a partition owned by two
/// members at once.
/// </summary>
public class ConsumerProtocolGroupTests(ITestOutputHelper output)
{
    private const string Topic = "kip848";
    private const int Partitions = 6;

    [Theory]
    [InlineData("uniform")]
    [InlineData("range")]
    public async Task LibrdkafkaMembers_JoinLeaveAndAreKilled_EveryRecordConsumedOnce_NoPartitionOwnedTwice(string assignor)
    {
        await using SimulatedCluster sim = await Kip848.StartAsync();
        await sim.CreateTopicAsync(Topic, Partitions, 3);
        string group = $"kip848-{assignor}";
        var ledger = new GroupLedger();
        var produced = new List<string>();
        var members = new List<IGroupMember>();
        await using var producer = new KafkaProducer<byte[]?, byte[]?>(Sims.OurProducer(sim));
        using Rd.IAdminClient admin = Librdkafka.Admin(sim, output);
        await using var watch = new OwnershipWatch(sim, group);

        IGroupMember Member(string name)
        {
            var member = new LibrdkafkaGroupMember(name, Kip848.ConsumerConfig(sim, group, assignor), Topic, ledger, output);
            members.Add(member);
            return member;
        }

        async Task ProduceAsync(string phase, Func<bool>? until = null)
        {
            for (int round = 0; round < 20 || (until is not null && !until()); round++)
            {
                var deliveries = Enumerable.Range(0, Partitions).Select(p =>
                {
                    string value = $"{phase}-r{round}-p{p}";
                    lock (produced) produced.Add(value);
                    return producer.ProduceAsync(Topic, p, Encoding.UTF8.GetBytes($"k{round}"), Encoding.UTF8.GetBytes(value)).AsTask();
                }).ToList();
                await Task.WhenAll(deliveries).WaitAsync(Sims.Generous);
            }
        }
        Task AllConsumedAsync() => Eventually.TrueAsync(() => ledger.Count >= produced.Count, () => $"{produced.Count} records consumed (so far {ledger.Count})");
        void Log(string what) => output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {what}: {Describe(sim.ConsumerGroup(group))}");

        try
        {
            IGroupMember rd1 = Member("rd1"), rd2 = Member("rd2");
            await SplitAsync(sim, group, rd1, rd2);
            Log("rd1 and rd2 split the partitions");
            await ProduceAsync("start");
            await AllConsumedAsync();

            IGroupMember rd3 = Member("rd3");
            await ProduceAsync("joining", until: () => IsSplit(sim, group, rd1, rd2, rd3));
            Log("rd3 joined");
            await AllConsumedAsync();

            var flowing = new TaskCompletionSource();
            Task leaving = ProduceAsync("leaving", until: () => flowing.Task.IsCompleted && IsSplit(sim, group, rd1, rd2));
            await rd3.LeaveAsync();
            flowing.SetResult();
            await leaving;
            Log("rd3 left");
            await AllConsumedAsync();

            // rd2 is killed once the group committed what it read: no leave, so its partitions move at the session timeout.
            await GroupOffsets.CommittedUpToTheEndAsync(sim, admin, group, Topic, Partitions);
            await rd2.CrashAsync();
            Log("rd2 killed");
            await SplitAsync(sim, group, rd1);
            Log("rd1 owns every partition");
            Assert.Single(sim.ConsumerGroup(group)!.MemberEpochs);
            await ProduceAsync("after-kill");
            await AllConsumedAsync();

            // rd1 leaves (committing); a new member resumes from the commits.
            await rd1.LeaveAsync();
            await Eventually.TrueAsync(() => sim.ConsumerGroup(group)?.State == "Empty", "the group to be empty");
            await ProduceAsync("while-empty");
            IGroupMember rd4 = Member("rd4");
            await SplitAsync(sim, group, rd4);
            await ProduceAsync("restarted");
            await AllConsumedAsync();
            Log("rd4 resumed");

            var description = (await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions.Single();
            output.WriteLine($"described: {description.State}, {description.Members.Count} member(s), {description.PartitionAssignor}");
            Assert.Equal(Rd.ConsumerGroupType.Consumer, description.GroupType);
            Assert.Equal(Rd.ConsumerGroupState.Stable, description.State);
            Assert.Single(description.Members);
            var listed = await admin.ListConsumerGroupsAsync(new Rd.Admin.ListConsumerGroupsOptions { MatchTypes = [Rd.ConsumerGroupType.Consumer] });
            Assert.Contains(listed.Valid, g => g.GroupId == group && g.Type == Rd.ConsumerGroupType.Consumer);
            Assert.Equal(Partitions, description.Members[0].Assignment.TopicPartitions.Count);

            output.WriteLine($"consumed by: {ledger.Tally()}; ownership samples: {watch.Samples}");
            Assert.True(ledger.Values.Count == ledger.Values.Distinct().Count(), $"duplicates: {ledger.Duplicates()}");
            Assert.Equal(produced.Order(StringComparer.Ordinal), ledger.Values.Order(StringComparer.Ordinal));
            Assert.Contains("rd4", ledger.Members);
            Assert.Empty(watch.Violations);
            Assert.False(sim.ConsumerGroup(group)!.HasDoubleOwnership);
        }
        finally
        {
            foreach (IGroupMember member in members) await member.DisposeAsync();
        }
    }

    /// <summary>Members agree with the coordinator: each owns what the Sim says it owns, and together they own every partition.</summary>
    internal static bool IsSplit(SimulatedCluster sim, string group, params IGroupMember[] members)
    {
        var owned = members.Select(m => m.Partitions).ToList();
        if (!owned.All(p => p.Count > 0) || !owned.SelectMany(p => p).Order().SequenceEqual(Enumerable.Range(0, Partitions))) return false;
        ConsumerGroupView? view = sim.ConsumerGroup(group);
        return view is not null && view.State == "Stable" && view.MemberEpochs.Count == members.Length;
    }

    internal static Task SplitAsync(SimulatedCluster sim, string group, params IGroupMember[] members) =>
        Eventually.TrueAsync(() => IsSplit(sim, group, members),
            () => $"the partitions split between {string.Join(", ", members.Select(m => $"{m.Name} [{string.Join(",", m.Partitions)}]"))}; coordinator: {Describe(sim.ConsumerGroup(group))}");

    internal static string Describe(ConsumerGroupView? view) => view is null ? "no group"
        : $"{view.State} epoch {view.GroupEpoch}/{view.AssignmentEpoch}, members {string.Join(" ", view.MemberEpochs.Select(m => $"{m.Key[..Math.Min(8, m.Key.Length)]}@{m.Value}"))}, "
          + $"owners {string.Join(" ", view.Owners.OrderBy(o => o.Key.Partition).Select(o => $"p{o.Key.Partition}:{string.Join("+", o.Value.Select(v => v[..Math.Min(8, v.Length)]))}"))}";
}
