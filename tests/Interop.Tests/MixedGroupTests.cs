using System.Text;
using KafkaNative.Consumer;
using KafkaNative.Producer;
using KafkaNative.Sim;
using Xunit.Abstractions;
using Rd = Confluent.Kafka;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// One consumer group (classic protocol) with members of both clients, for each assignor both share.
/// Members join and leave while records flow (commit on revoke makes that exact), and crash once the
/// group has committed what it read (a crash loses what was not committed: Kafka redelivers it). Every
/// record is consumed exactly once, which holds only if each client resumes from the other's commits.
/// </summary>
public class MixedGroupTests(ITestOutputHelper output)
{
    private const string Topic = "mixed";
    private const int Partitions = 6;

    [Theory]
    [InlineData(Rd.PartitionAssignmentStrategy.Range, PartitionAssignmentStrategy.Range)]
    [InlineData(Rd.PartitionAssignmentStrategy.CooperativeSticky, PartitionAssignmentStrategy.CooperativeSticky)]
    public async Task MembersOfBothClients_JoinLeaveAndCrash_EveryRecordConsumedOnce(Rd.PartitionAssignmentStrategy theirs, PartitionAssignmentStrategy ours)
    {
        await using SimulatedCluster sim = await Sims.StartAsync(brokers: 3);
        await sim.CreateTopicAsync(Topic, Partitions, 3);
        string group = $"mixed-{ours}";
        var ledger = new GroupLedger();
        var produced = new List<string>();
        var members = new List<IGroupMember>();
        await using var producer = new KafkaProducer<byte[]?, byte[]?>(Sims.OurProducer(sim));
        using Rd.IAdminClient admin = Librdkafka.Admin(sim, output);

        IGroupMember Theirs(string name) => Add(new LibrdkafkaGroupMember(name, Librdkafka.ConsumerConfig(sim, group, theirs), Topic, ledger, output));
        IGroupMember Ours(string name)
        {
            ConsumerOptions options = Sims.OurConsumer(sim, group);
            options.AssignmentStrategies = [ours];
            return Add(new OurGroupMember(name, options, Topic, ledger));
        }
        IGroupMember Add(IGroupMember member) { members.Add(member); return member; }

        async Task ProduceAsync(string phase, Func<bool>? until = null)
        {
            // One record per partition per round; with a condition, rounds go on until it holds, so records flow through the change.
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

        try
        {
            IGroupMember rd1 = Theirs("rd1"), our1 = Ours("our1");
            await SplitAsync(rd1, our1);
            await ProduceAsync("start");
            await AllConsumedAsync();

            // Two more join while records flow.
            IGroupMember rd2 = Theirs("rd2"), our2 = Ours("our2");
            await ProduceAsync("joining", until: () => IsSplit(rd1, our1, rd2, our2));
            await AllConsumedAsync();

            // They leave while records flow.
            var flowing = new TaskCompletionSource();
            Task leaving = ProduceAsync("leaving", until: () => flowing.Task.IsCompleted && IsSplit(rd1, our1));
            await rd2.LeaveAsync();
            await our2.LeaveAsync();
            flowing.SetResult();
            await leaving;
            await AllConsumedAsync();

            // Ours crashes once everything read is committed: librdkafka takes over from our commits.
            await GroupOffsets.CommittedUpToTheEndAsync(sim, admin, group, Topic, Partitions);
            await our1.CrashAsync();
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} our1 crashed");
            await SplitAsync(rd1);
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} rd1 owns every partition");
            await ProduceAsync("after-our-crash");
            await AllConsumedAsync();

            // Ours joins, then librdkafka crashes: ours takes over from librdkafka's commits.
            IGroupMember our3 = Ours("our3");
            await SplitAsync(rd1, our3);
            await GroupOffsets.CommittedUpToTheEndAsync(sim, admin, group, Topic, Partitions);
            await rd1.CrashAsync();
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} rd1 crashed");
            await SplitAsync(our3);
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} our3 owns every partition");
            await ProduceAsync("after-librdkafka-crash");
            await AllConsumedAsync();

            output.WriteLine($"consumed by: {ledger.Tally()}");
            Assert.True(ledger.Values.Count == ledger.Values.Distinct().Count(), $"duplicates: {ledger.Duplicates()}");
            Assert.Equal(produced.Order(StringComparer.Ordinal), ledger.Values.Order(StringComparer.Ordinal));
            Assert.Superset(new HashSet<string> { "rd1", "our1", "our3" }, ledger.Members.ToHashSet());
        }
        finally
        {
            foreach (IGroupMember member in members) await member.DisposeAsync();
        }
    }

    private static bool IsSplit(params IGroupMember[] members)
    {
        var owned = members.Select(m => m.Partitions).ToList();
        return owned.All(p => p.Count > 0) && owned.SelectMany(p => p).Order().SequenceEqual(Enumerable.Range(0, Partitions));
    }

    /// <summary>Waits until the members (and no one else) own every partition, each at least one.</summary>
    private static Task SplitAsync(params IGroupMember[] members) =>
        Eventually.TrueAsync(() => IsSplit(members), () => $"the partitions split between {string.Join(", ", members.Select(m => $"{m.Name} [{string.Join(",", m.Partitions)}]"))}");
}
