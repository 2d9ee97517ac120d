using KafkaNative.Client;
using KafkaNative.Consumer.Groups;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;
using KafkaNative.Sim;
using static KafkaNative.Consumer.Tests.SimHelpers;

namespace KafkaNative.Consumer.Tests;

/// <summary>LeaveGroup at every version: v0-2 name the member, v3+ list members, v5 gives the reason.</summary>
public class LeaveGroupTests
{
    public static TheoryData<short> Versions => [0, 1, 2, 3, 4, 5];

    [Theory]
    [MemberData(nameof(Versions))]
    public void Request_CarriesTheMemberInTheShapeOfItsVersion(short version)
    {
        LeaveGroupRequest built = LeaveGroupRequests.Build(version, "g", "member-1", "instance-1", "closing");

        using var buffer = new PooledBufferWriter();
        var writer = new KafkaWriter(buffer);
        built.Write(ref writer, version);   // throws for a field the version cannot carry
        writer.Flush();
        var reader = new KafkaReader(buffer.WrittenSpan.ToArray().AsMemory());
        LeaveGroupRequest read = LeaveGroupRequest.Read(ref reader, version);
        reader.EnsureEnd(nameof(LeaveGroupRequest));

        Assert.Equal("g", read.GroupId);
        if (version <= 2)
        {
            Assert.Equal("member-1", read.MemberId);
            Assert.Empty(read.Members);
            return;
        }
        LeaveGroupRequest.MemberIdentity member = Assert.Single(read.Members);
        Assert.Equal("member-1", member.MemberId);
        Assert.Equal("instance-1", member.GroupInstanceId);
        Assert.Equal(version >= 5 ? "closing" : null, member.Reason);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task LeaveAtVersion_SurvivorGetsThePartitionsWithinSeconds(short version)
    {
        await using SimulatedCluster sim = await StartAsync(brokers: 1);
        await sim.CreateTopicAsync("leave-v", 4, 1);
        string group = $"g-leave-v{version}";
        ConsumerOptions options = Options(sim, group);
        options.SessionTimeout = TimeSpan.FromSeconds(45);
        await using var survivor = new KafkaConsumer<string?, string?>(options);
        var leaving = new KafkaConsumer<string?, string?>(options);
        survivor.Subscribe(["leave-v"]);
        leaving.Subscribe(["leave-v"]);
        await Eventually.TrueAsync(() => survivor.Assignment.Count == 2 && leaving.Assignment.Count == 2, "a 2/2 split");
        string memberId = leaving.MemberId;
        await leaving.AbandonAsync();   // gone without a word: only the LeaveGroup below tells the coordinator

        await using var client = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        int coordinator = await FindCoordinatorAsync(client, group);
        using BrokerLease lease = await client.AcquireBrokerAsync(coordinator);
        LeaveGroupResponse response = await lease.Broker.SendAsync<LeaveGroupRequest, LeaveGroupResponse>(
            LeaveGroupRequests.Build(version, group, memberId, null, "test"), new SendOptions(MaxVersion: version));
        Assert.Equal(ErrorCode.None, (ErrorCode)response.ErrorCode);
        Assert.All(response.Members, m => Assert.Equal(ErrorCode.None, (ErrorCode)m.ErrorCode));

        await Eventually.TrueAsync(() => survivor.Assignment.Count == 4, "the survivor to get every partition", TimeSpan.FromSeconds(15));
    }
}
