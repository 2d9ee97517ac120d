using System.Text;
using KafkaNative.Consumer;
using KafkaNative.Producer;
using KafkaNative.Sim;
using Xunit.Abstractions;
using static KafkaNative.Interop.Tests.ConsumerProtocolGroupTests;
using Rd = Confluent.Kafka;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// One consumer-protocol group (KIP-848) on the Sim with members of both clients: librdkafka 2.16 with
/// <c>group.protocol=consumer</c> and ours with <see cref="GroupProtocol.Consumer"/>. They join, leave and crash (once
/// the group committed what it read) while records flow; every record is consumed exactly once, each client resumes
/// from the other's commits, and the coordinator never sees a partition owned by two members.
/// </summary>
public class MixedConsumerProtocolGroupTests(ITestOutputHelper output)
{
    private const string Topic = "kip848";
    private const int Partitions = 6;

    [Theory]
    [InlineData("uniform")]
    [InlineData("range")]
    public async Task MembersOfBothClients_JoinLeaveAndCrash_EveryRecordConsumedOnce(string assignor)
    {
        await using SimulatedCluster sim = await Kip848.StartAsync();
        await sim.CreateTopicAsync(Topic, Partitions, 3);
        string group = $"mixed-kip848-{assignor}";
        var ledger = new GroupLedger();
        var produced = new List<string>();
        var members = new List<IGroupMember>();
        await using var producer = new KafkaProducer<byte[]?, byte[]?>(Sims.OurProducer(sim));
        using Rd.IAdminClient admin = Librdkafka.Admin(sim, output);
        await using var watch = new OwnershipWatch(sim, group);

        IGroupMember Theirs(string name) => Add(new LibrdkafkaGroupMember(name, Kip848.ConsumerConfig(sim, group, assignor), Topic, ledger, output));
        IGroupMember Ours(string name)
        {
            ConsumerOptions options = Sims.OurConsumer(sim, group);
            options.GroupProtocol = GroupProtocol.Consumer;
            options.GroupRemoteAssignor = assignor;
            return Add(new OurGroupMember(name, options, Topic, ledger));
        }
        IGroupMember Add(IGroupMember member) { members.Add(member); return member; }

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
            IGroupMember rd1 = Theirs("rd1"), our1 = Ours("our1");
            await SplitAsync(sim, group, rd1, our1);
            Log("rd1 and our1 split the partitions");
            await ProduceAsync("start");
            await AllConsumedAsync();

            IGroupMember rd2 = Theirs("rd2"), our2 = Ours("our2");
            await ProduceAsync("joining", until: () => IsSplit(sim, group, rd1, our1, rd2, our2));
            Log("rd2 and our2 joined");
            await AllConsumedAsync();

            var flowing = new TaskCompletionSource();
            Task leaving = ProduceAsync("leaving", until: () => flowing.Task.IsCompleted && IsSplit(sim, group, rd1, our1));
            await rd2.LeaveAsync();
            await our2.LeaveAsync();
            flowing.SetResult();
            await leaving;
            Log("rd2 and our2 left");
            await AllConsumedAsync();

            // Ours crashes once everything read is committed: librdkafka takes over from our commits.
            await GroupOffsets.CommittedUpToTheEndAsync(sim, admin, group, Topic, Partitions);
            await our1.CrashAsync();
            await SplitAsync(sim, group, rd1);
            Log("our1 crashed, rd1 owns every partition");
            await ProduceAsync("after-our-crash");
            await AllConsumedAsync();

            // Ours joins, then librdkafka crashes: ours takes over from librdkafka's commits.
            IGroupMember our3 = Ours("our3");
            await SplitAsync(sim, group, rd1, our3);
            await GroupOffsets.CommittedUpToTheEndAsync(sim, admin, group, Topic, Partitions);
            await rd1.CrashAsync();
            await SplitAsync(sim, group, our3);
            Log("rd1 crashed, our3 owns every partition");
            await ProduceAsync("after-librdkafka-crash");
            await AllConsumedAsync();

            output.WriteLine($"consumed by: {ledger.Tally()}; ownership samples: {watch.Samples}");
            Assert.True(ledger.Values.Count == ledger.Values.Distinct().Count(), $"duplicates: {ledger.Duplicates()}");
            Assert.Equal(produced.Order(StringComparer.Ordinal), ledger.Values.Order(StringComparer.Ordinal));
            Assert.Superset(new HashSet<string> { "rd1", "our1", "our3" }, ledger.Members.ToHashSet());
            Assert.Empty(watch.Violations);
        }
        finally
        {
            foreach (IGroupMember member in members) await member.DisposeAsync();
        }
    }
}
