using System.Text;
using KafkaNative.Producer;
using KafkaNative.Protocol;
using KafkaNative.Sim;
using Xunit.Abstractions;
using static KafkaNative.Interop.Tests.ConsumerProtocolGroupTests;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// librdkafka 2.16 static members (<c>group.instance.id</c>) of a consumer-protocol group (KIP-848) on the Sim: the group
/// coordinator moves to another broker while records flow and nothing is lost or read twice; a static member that closes
/// leaves for a while (epoch -2), keeps its partitions meanwhile, and a new process with the same instance id takes them
/// back at once. The coordinator's view never shows a partition owned by two members.
/// </summary>
public class ConsumerProtocolStaticMemberTests(ITestOutputHelper output)
{
    private const string Topic = "kip848";
    private const int Partitions = 6;

    [Fact]
    public async Task StaticLibrdkafkaMembers_SurviveACoordinatorMove_AndARestartTakesBackTheSamePartitions()
    {
        await using SimulatedCluster sim = await Kip848.StartAsync();
        await sim.CreateTopicAsync(Topic, Partitions, 3);
        const string group = "kip848-static";
        var ledger = new GroupLedger();
        var produced = new List<string>();
        var members = new List<IGroupMember>();
        await using var producer = new KafkaProducer<byte[]?, byte[]?>(Sims.OurProducer(sim));
        await using var watch = new OwnershipWatch(sim, group);

        IGroupMember Member(string name, string instance)
        {
            var member = new LibrdkafkaGroupMember(name, Kip848.ConsumerConfig(sim, group, instanceId: instance), Topic, ledger, output);
            members.Add(member);
            return member;
        }
        async Task ProduceAsync(string phase, Func<bool>? until = null)
        {
            for (int round = 0; round < 20 || (until is not null && !until()); round++)
            {
                await Task.WhenAll(Enumerable.Range(0, Partitions).Select(p =>
                {
                    string value = $"{phase}-r{round}-p{p}";
                    lock (produced) produced.Add(value);
                    return producer.ProduceAsync(Topic, p, Encoding.UTF8.GetBytes($"k{round}"), Encoding.UTF8.GetBytes(value)).AsTask();
                })).WaitAsync(Sims.Generous);
            }
        }
        Task AllConsumedAsync() => Eventually.TrueAsync(() => ledger.Count >= produced.Count, () => $"{produced.Count} records consumed (so far {ledger.Count})");
        void Log(string what) => output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {what}: {Describe(sim.ConsumerGroup(group))}");

        try
        {
            IGroupMember rd1 = Member("rd1", "instance-1"), rd2 = Member("rd2", "instance-2");
            await SplitAsync(sim, group, rd1, rd2);
            Log("split");
            await ProduceAsync("start");
            await AllConsumedAsync();

            // The coordinator moves while records flow: the new one loads members, epochs and assignments.
            int from = sim.CoordinatorOf(group);
            var moved = new TaskCompletionSource();
            Task flowing = ProduceAsync("moving", until: () => moved.Task.IsCompleted);
            await sim.MoveGroupCoordinatorAsync(group, (from + 1) % 3);
            moved.SetResult();
            await flowing;
            await AllConsumedAsync();
            int to = sim.CoordinatorOf(group);
            long before = sim.RequestCount(to, ApiKey.ConsumerGroupHeartbeat);
            await Eventually.TrueAsync(() => sim.RequestCount(to, ApiKey.ConsumerGroupHeartbeat) > before + 2, "heartbeats at the new coordinator");
            // The new coordinator drops every connection: the members reconnect and carry on as they were.
            sim.DropConnections(to);
            await ProduceAsync("dropped");
            await AllConsumedAsync();
            int epochBefore = sim.ConsumerGroup(group)!.GroupEpoch;
            await SplitAsync(sim, group, rd1, rd2);
            Log($"coordinator moved from {from} to {to}");
            Assert.Equal(epochBefore, sim.ConsumerGroup(group)!.GroupEpoch);

            // rd2 closes: a static member's leave is temporary (epoch -2); its partitions stay its own.
            IReadOnlyList<int> rd2Partitions = rd2.Partitions;
            await rd2.LeaveAsync();
            ConsumerGroupView away = sim.ConsumerGroup(group)!;
            Log("rd2 closed");
            Assert.Contains(-2, away.MemberEpochs.Values);
            Assert.Equal(2, away.MemberEpochs.Count);
            Assert.All(rd2Partitions, p => Assert.DoesNotContain(p, rd1.Partitions));

            // The instance restarts with a new member id and gets the same partitions back, without a new group epoch.
            IGroupMember rd2b = Member("rd2b", "instance-2");
            await SplitAsync(sim, group, rd1, rd2b);
            Log("rd2 restarted");
            Assert.Equal(rd2Partitions, rd2b.Partitions);
            Assert.Equal(epochBefore, sim.ConsumerGroup(group)!.GroupEpoch);
            await ProduceAsync("after-restart");
            await AllConsumedAsync();

            output.WriteLine($"consumed by: {ledger.Tally()}; ownership samples: {watch.Samples}");
            Assert.True(ledger.Values.Count == ledger.Values.Distinct().Count(), $"duplicates: {ledger.Duplicates()}");
            Assert.Equal(produced.Order(StringComparer.Ordinal), ledger.Values.Order(StringComparer.Ordinal));
            Assert.Empty(watch.Violations);
        }
        finally
        {
            foreach (IGroupMember member in members) await member.DisposeAsync();
        }
    }
}
