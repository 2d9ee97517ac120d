using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Client.Tests.Fakes;

/// <summary>
/// A live consumer-group member played by hand (JoinGroup, SyncGroup), subscribed to some topics, so admin calls
/// meet a group with members. It never heartbeats; its session (60 s) outlives any test.
/// </summary>
internal static class GroupMemberScript
{
    public static async Task<string> JoinAsync(KafkaCluster cluster, string groupId, params string[] topics)
    {
        FindCoordinatorResponse found = await cluster.SendToAnyBrokerAsync<FindCoordinatorRequest, FindCoordinatorResponse>(new FindCoordinatorRequest { CoordinatorKeys = [groupId] });
        using BrokerLease coordinator = await cluster.AcquireBrokerAsync(found.Coordinators[0].NodeId);
        JoinGroupRequest Join(string memberId) => new()
        {
            GroupId = groupId,
            MemberId = memberId,
            SessionTimeoutMs = 60_000,
            RebalanceTimeoutMs = 10_000,
            ProtocolType = "consumer",
            Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = Subscription(topics) }],
        };
        // The first join only hands out a member id (MEMBER_ID_REQUIRED); the second one joins.
        JoinGroupResponse first = await coordinator.Broker.SendAsync<JoinGroupRequest, JoinGroupResponse>(Join(""));
        JoinGroupResponse joined = await coordinator.Broker.SendAsync<JoinGroupRequest, JoinGroupResponse>(Join(first.MemberId));
        KafkaErrorException.ThrowIfError(joined.ErrorCode, "JoinGroup");
        SyncGroupResponse synced = await coordinator.Broker.SendAsync<SyncGroupRequest, SyncGroupResponse>(new SyncGroupRequest
        {
            GroupId = groupId,
            GenerationId = joined.GenerationId,
            MemberId = joined.MemberId,
            ProtocolType = "consumer",
            ProtocolName = "range",
            Assignments = [new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = joined.MemberId, Assignment = Array.Empty<byte>() }],
        });
        KafkaErrorException.ThrowIfError(synced.ErrorCode, "SyncGroup");
        return joined.MemberId;
    }

    private static byte[] Subscription(string[] topics)
    {
        using var buffer = new PooledBufferWriter(256);
        var writer = new KafkaWriter(buffer);
        writer.WriteInt16(0);
        new ConsumerProtocolSubscription { Topics = [.. topics], UserData = null }.Write(ref writer, 0);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
