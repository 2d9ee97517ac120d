using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Groups;

namespace KafkaNative.Sim.Handlers;

/// <summary>FindCoordinator for groups (key type 0) and transactional ids (1), one key (v0-3) or many (v4+).</summary>
internal static class FindCoordinatorHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, FindCoordinatorRequest request)
    {
        var response = new FindCoordinatorResponse();
        if (context.ApiVersion >= 4)
        {
            foreach (string key in request.CoordinatorKeys)
            {
                (ErrorCode error, BrokerInfo? node) = Find(broker, key, request.KeyType);
                response.Coordinators.Add(new FindCoordinatorResponse.Coordinator
                {
                    Key = key,
                    ErrorCode = (short)error,
                    NodeId = node?.Id ?? -1,
                    Host = node?.Host ?? "",
                    Port = node?.Port ?? -1,
                });
            }
        }
        else
        {
            (ErrorCode error, BrokerInfo? node) = Find(broker, request.Key, request.KeyType);
            response.ErrorCode = (short)error;
            response.NodeId = node?.Id ?? -1;
            response.Host = node?.Host ?? "";
            response.Port = node?.Port ?? -1;
        }
        context.Respond(response);
    }

    public static FindCoordinatorResponse Error(FindCoordinatorRequest request, ErrorCode error, short version) => version >= 4
        ? new FindCoordinatorResponse { Coordinators = request.CoordinatorKeys.Select(k => new FindCoordinatorResponse.Coordinator { Key = k, ErrorCode = (short)error, NodeId = -1, Port = -1 }).ToList() }
        : new FindCoordinatorResponse { ErrorCode = (short)error, NodeId = -1, Port = -1 };

    private static (ErrorCode, BrokerInfo?) Find(SimulatedBroker broker, string key, sbyte keyType)
    {
        if (keyType is not (0 or 1)) return (ErrorCode.InvalidRequest, null);
        if (keyType == 0 && key.Length == 0) return (ErrorCode.InvalidGroupId, null);
        int coordinator = broker.Cluster.Controller.CoordinatorFor(key).BrokerId;
        BrokerInfo? node = broker.Cluster.Controller.AliveBrokers().FirstOrDefault(b => b.Id == coordinator);
        return node is null ? (ErrorCode.CoordinatorNotAvailable, null) : (ErrorCode.None, node);
    }
}

/// <summary>JoinGroup: validates the session timeout and hands the join to the group's state machine.</summary>
internal static class JoinGroupHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, JoinGroupRequest request)
    {
        ErrorCode error = broker.Groups.CheckCoordinator(request.GroupId);
        // A group id is one kind of group: a consumer-protocol group with members refuses classic members (the Sim does not
        // run Kafka 4.0's mixed groups); an empty one becomes a classic group, as Kafka converts an empty group.
        if (error == ErrorCode.None && broker.Groups.IsConsumerGroup(request.GroupId))
        {
            error = broker.Groups.UseConsumer(request.GroupId, create: false, group =>
            {
                if (group is { Members.Count: > 0 }) return ErrorCode.InconsistentGroupProtocol;
                broker.Cluster.GroupStore.RemoveConsumer(request.GroupId);
                return ErrorCode.None;
            });
        }
        ClusterOptions options = broker.Cluster.Options;
        if (error == ErrorCode.None && (request.SessionTimeoutMs < options.GroupMinSessionTimeoutMs || request.SessionTimeoutMs > options.GroupMaxSessionTimeoutMs))
            error = ErrorCode.InvalidSessionTimeout;
        // A member id the coordinator never gave out (no group) is unknown; a new member creates the group.
        if (error == ErrorCode.None)
        {
            error = broker.Groups.Use(request.GroupId, create: request.MemberId.Length == 0, group =>
            {
                if (group is null) return ErrorCode.UnknownMemberId;
                group.Join(context, request, broker.Cluster.NowMs);
                return ErrorCode.None;
            });
        }
        if (error != ErrorCode.None) context.Fail(error);
    }

    public static JoinGroupResponse Error(JoinGroupRequest request, ErrorCode error, short version) => new()
    {
        ErrorCode = (short)error,
        GenerationId = -1,
        ProtocolName = version >= 7 ? null : "",
        Leader = "",
        MemberId = request.MemberId,
    };
}

/// <summary>SyncGroup: the leader's assignments out, every member's assignment back.</summary>
internal static class SyncGroupHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, SyncGroupRequest request)
    {
        ErrorCode error = broker.Groups.Use(request.GroupId, create: false, group =>
        {
            if (group is null) return ErrorCode.UnknownMemberId;
            group.Sync(context, request, broker.Cluster.NowMs);
            return ErrorCode.None;
        });
        if (error != ErrorCode.None) context.Fail(error);
    }

    public static SyncGroupResponse Error(SyncGroupRequest request, ErrorCode error, short version) =>
        new() { ErrorCode = (short)error, Assignment = ReadOnlyMemory<byte>.Empty };
}

/// <summary>Heartbeat: keeps a member's session alive and tells it when to rejoin.</summary>
internal static class HeartbeatHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, HeartbeatRequest request)
    {
        ErrorCode error = broker.Groups.Use(request.GroupId, create: false, group => group?.Heartbeat(request, broker.Cluster.NowMs) ?? ErrorCode.UnknownMemberId);
        context.Respond(new HeartbeatResponse { ErrorCode = (short)error });
    }

    public static HeartbeatResponse Error(HeartbeatRequest request, ErrorCode error, short version) => new() { ErrorCode = (short)error };
}

/// <summary>LeaveGroup: one member (v0-2) or a batch by member or instance id (v3+).</summary>
internal static class LeaveGroupHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, LeaveGroupRequest request)
    {
        ErrorCode error = broker.Groups.Use(request.GroupId, create: false, group =>
        {
            context.Respond(Leave(group, context.ApiVersion, request, broker.Cluster.NowMs));
            return ErrorCode.None;
        });
        if (error != ErrorCode.None) context.Fail(error);
    }

    private static LeaveGroupResponse Leave(ConsumerGroup? group, short version, LeaveGroupRequest request, long now)
    {
        if (version < 3) return new LeaveGroupResponse { ErrorCode = (short)(group?.Leave(request.MemberId, null, now) ?? ErrorCode.UnknownMemberId) };
        var response = new LeaveGroupResponse();
        foreach (LeaveGroupRequest.MemberIdentity member in request.Members)
        {
            response.Members.Add(new LeaveGroupResponse.MemberResponse
            {
                MemberId = member.MemberId,
                GroupInstanceId = member.GroupInstanceId,
                ErrorCode = (short)(group?.Leave(member.MemberId, member.GroupInstanceId, now) ?? ErrorCode.UnknownMemberId),
            });
        }
        return response;
    }

    public static LeaveGroupResponse Error(LeaveGroupRequest request, ErrorCode error, short version) => new() { ErrorCode = (short)error };
}

/// <summary>OffsetCommit: checks the member and generation (or allows a standalone commit to an empty group) and stores offsets.</summary>
internal static class OffsetCommitHandler
{
    private const int MaxMetadataLength = 4096;

    public static void Handle(SimulatedBroker broker, RequestContext context, OffsetCommitRequest request)
    {
        // A standalone commit (no generation) may create the group; a member's needs its group to exist. A consumer-protocol
        // group (KIP-848) checks the member epoch instead of the generation (v9 semantics: STALE_MEMBER_EPOCH).
        ErrorCode error = broker.Groups.IsConsumerGroup(request.GroupId)
            ? broker.Groups.UseConsumer(request.GroupId, create: false, group =>
                group?.CheckCommit(request.MemberId, request.GenerationIdOrMemberEpoch, transactional: false, context.ApiVersion) ?? ErrorCode.IllegalGeneration)
            : broker.Groups.Use(request.GroupId, create: request.GenerationIdOrMemberEpoch < 0, group =>
                group?.CheckCommit(request.MemberId, request.GroupInstanceId, request.GenerationIdOrMemberEpoch, broker.Cluster.NowMs) ?? ErrorCode.IllegalGeneration);
        var response = new OffsetCommitResponse();
        foreach (OffsetCommitRequest.OffsetCommitRequestTopic topic in request.Topics)
        {
            var topicResponse = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = topic.Name };
            response.Topics.Add(topicResponse);
            TopicSnapshot? known = broker.Cluster.Controller.Topic(topic.Name);
            foreach (OffsetCommitRequest.OffsetCommitRequestPartition partition in topic.Partitions)
            {
                ErrorCode partitionError = error;
                if (partitionError == ErrorCode.None && (known is null || partition.PartitionIndex < 0 || partition.PartitionIndex >= known.Partitions.Count))
                    partitionError = ErrorCode.UnknownTopicOrPartition;
                if (partitionError == ErrorCode.None && partition.CommittedMetadata is { Length: > MaxMetadataLength })
                    partitionError = ErrorCode.OffsetMetadataTooLarge;
                if (partitionError == ErrorCode.None)
                {
                    broker.Cluster.Offsets.Commit(request.GroupId, new TopicAndPartition(topic.Name, partition.PartitionIndex),
                        new CommittedOffset(partition.CommittedOffset, partition.CommittedLeaderEpoch, partition.CommittedMetadata));
                }
                topicResponse.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition { PartitionIndex = partition.PartitionIndex, ErrorCode = (short)partitionError });
            }
        }
        context.Respond(response);
    }

    public static OffsetCommitResponse Error(OffsetCommitRequest request, ErrorCode error, short version) => new()
    {
        Topics = request.Topics.Select(t => new OffsetCommitResponse.OffsetCommitResponseTopic
        {
            Name = t.Name,
            Partitions = t.Partitions.Select(p => new OffsetCommitResponse.OffsetCommitResponsePartition { PartitionIndex = p.PartitionIndex, ErrorCode = (short)error }).ToList(),
        }).ToList(),
    };
}

/// <summary>OffsetFetch: committed offsets of one group (v0-7) or many (v8+); all partitions when the topic list is null.</summary>
internal static class OffsetFetchHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, OffsetFetchRequest request)
    {
        var response = new OffsetFetchResponse();
        if (context.ApiVersion >= 8)
        {
            foreach (OffsetFetchRequest.OffsetFetchRequestGroup group in request.Groups)
            {
                ErrorCode error = broker.Groups.CheckCoordinator(group.GroupId);
                // v9 (KIP-848): a consumer-protocol member names itself and its epoch, which must be current.
                if (error == ErrorCode.None && context.ApiVersion >= 9 && broker.Groups.IsConsumerGroup(group.GroupId))
                    error = broker.Groups.UseConsumer(group.GroupId, create: false, g => g?.CheckFetch(group.MemberId, group.MemberEpoch) ?? ErrorCode.None);
                var groupResponse = new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = group.GroupId, ErrorCode = (short)error };
                response.Groups.Add(groupResponse);
                if (error != ErrorCode.None) continue;
                foreach (var (topic, partitions) in Lookup(broker, group.GroupId, group.Topics?.Select(t => (t.Name, t.PartitionIndexes))))
                {
                    groupResponse.Topics.Add(new OffsetFetchResponse.OffsetFetchResponseTopics
                    {
                        Name = topic,
                        Partitions = partitions.Select(p => new OffsetFetchResponse.OffsetFetchResponsePartitions
                        {
                            PartitionIndex = p.Partition,
                            ErrorCode = (short)Stability(broker, group.GroupId, request.RequireStable, topic, p.Partition),
                            CommittedOffset = p.Offset?.Offset ?? -1,
                            CommittedLeaderEpoch = p.Offset?.LeaderEpoch ?? -1,
                            Metadata = p.Offset is null ? "" : p.Offset.Metadata,
                        }).ToList(),
                    });
                }
            }
            context.Respond(response);
            return;
        }
        ErrorCode groupError = broker.Groups.CheckCoordinator(request.GroupId);
        if (groupError != ErrorCode.None)
        {
            context.Fail(groupError);
            return;
        }
        foreach (var (topic, partitions) in Lookup(broker, request.GroupId, request.Topics?.Select(t => (t.Name, t.PartitionIndexes))))
        {
            response.Topics.Add(new OffsetFetchResponse.OffsetFetchResponseTopic
            {
                Name = topic,
                Partitions = partitions.Select(p => new OffsetFetchResponse.OffsetFetchResponsePartition
                {
                    PartitionIndex = p.Partition,
                    ErrorCode = (short)Stability(broker, request.GroupId, request.RequireStable, topic, p.Partition),
                    CommittedOffset = p.Offset?.Offset ?? -1,
                    CommittedLeaderEpoch = context.ApiVersion >= 5 ? p.Offset?.LeaderEpoch ?? -1 : -1,
                    Metadata = p.Offset is null ? "" : p.Offset.Metadata,
                }).ToList(),
            });
        }
        context.Respond(response);
    }

    /// <summary>With RequireStable (KIP-447), a partition whose offset a transaction is still committing answers UNSTABLE_OFFSET_COMMIT, so a read_committed consumer waits rather than start from an offset about to change.</summary>
    private static ErrorCode Stability(SimulatedBroker broker, string groupId, bool requireStable, string topic, int partition) =>
        requireStable && broker.Cluster.Transactions.HasPendingOffset(groupId, new TopicAndPartition(topic, partition)) ? ErrorCode.UnstableOffsetCommit : ErrorCode.None;

    public static OffsetFetchResponse Error(OffsetFetchRequest request, ErrorCode error, short version) => version >= 8
        ? new OffsetFetchResponse { Groups = request.Groups.Select(g => new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = g.GroupId, ErrorCode = (short)error }).ToList() }
        : version >= 2
            ? new OffsetFetchResponse { ErrorCode = (short)error }
            : new OffsetFetchResponse
            {
                Topics = (request.Topics ?? []).Select(t => new OffsetFetchResponse.OffsetFetchResponseTopic
                {
                    Name = t.Name,
                    Partitions = t.PartitionIndexes.Select(p => new OffsetFetchResponse.OffsetFetchResponsePartition { PartitionIndex = p, CommittedOffset = -1, Metadata = "", ErrorCode = (short)error }).ToList(),
                }).ToList(),
            };

    private static IEnumerable<(string Topic, List<(int Partition, CommittedOffset? Offset)> Partitions)> Lookup(
        SimulatedBroker broker, string groupId, IEnumerable<(string Name, List<int> Partitions)>? wanted)
    {
        OffsetStore offsets = broker.Cluster.Offsets;
        if (wanted is null)
        {
            return offsets.All(groupId).GroupBy(o => o.Partition.Topic)
                .Select(g => (g.Key, g.Select(o => (o.Partition.Partition, (CommittedOffset?)o.Offset)).ToList()));
        }
        return wanted.Select(t => (t.Name, t.Partitions.Select(p => (p, offsets.Get(groupId, new TopicAndPartition(t.Name, p)))).ToList()));
    }
}

/// <summary>DescribeGroups: state, protocol and members (with metadata and assignment) of each group.</summary>
internal static class DescribeGroupsHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, DescribeGroupsRequest request)
    {
        var response = new DescribeGroupsResponse();
        foreach (string groupId in request.Groups)
        {
            DescribeGroupsResponse.DescribedGroup? described = null;
            if (broker.Groups.IsConsumerGroup(groupId) && broker.Groups.CheckCoordinator(groupId) == ErrorCode.None)
            {
                // Kafka answers DescribeGroups about a consumer-protocol group with GROUP_ID_NOT_FOUND and state Dead: ConsumerGroupDescribe describes it.
                response.Groups.Add(new DescribeGroupsResponse.DescribedGroup { ErrorCode = (short)ErrorCode.GroupIdNotFound, GroupId = groupId, GroupState = "Dead", ProtocolType = "", ProtocolData = "" });
                continue;
            }
            ErrorCode error = broker.Groups.Use(groupId, create: false, group =>
            {
                described = Describe(groupId, group);
                return ErrorCode.None;
            });
            response.Groups.Add(described ?? new DescribeGroupsResponse.DescribedGroup { ErrorCode = (short)error, GroupId = groupId, GroupState = "", ProtocolType = "", ProtocolData = "" });
        }
        context.Respond(response);
    }

    /// <summary>A group this broker coordinates; one that does not exist is reported Dead, as Kafka does.</summary>
    private static DescribeGroupsResponse.DescribedGroup Describe(string groupId, ConsumerGroup? group) => new()
    {
        ErrorCode = (short)ErrorCode.None,
        GroupId = groupId,
        GroupState = group?.State.ToString() ?? "Dead",
        ProtocolType = group?.ProtocolType ?? "",
        ProtocolData = group?.ProtocolName ?? "",
        Members = group is null ? [] : group.Members.Select(m => new DescribeGroupsResponse.DescribedGroupMember
        {
            MemberId = m.MemberId,
            GroupInstanceId = m.GroupInstanceId,
            ClientId = m.ClientId,
            ClientHost = "/" + m.ClientHost,
            MemberMetadata = group.ProtocolName is string protocol ? m.MetadataFor(protocol) ?? [] : [],
            MemberAssignment = m.Assignment,
        }).ToList(),
    };

    public static DescribeGroupsResponse Error(DescribeGroupsRequest request, ErrorCode error, short version) => new()
    {
        Groups = request.Groups.Select(g => new DescribeGroupsResponse.DescribedGroup { ErrorCode = (short)error, GroupId = g, GroupState = "", ProtocolType = "", ProtocolData = "" }).ToList(),
    };
}

/// <summary>ListGroups: the groups this broker coordinates, filtered by state (v4+) and type (v5+: "classic" or "consumer", KIP-848).</summary>
internal static class ListGroupsHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, ListGroupsRequest request)
    {
        var response = new ListGroupsResponse();
        foreach ((string groupId, string state, string protocolType, string type) in broker.Groups.Current())
        {
            if (request.StatesFilter.Count > 0 && !request.StatesFilter.Contains(state, StringComparer.OrdinalIgnoreCase)) continue;
            if (request.TypesFilter.Count > 0 && !request.TypesFilter.Contains(type, StringComparer.OrdinalIgnoreCase)) continue;
            response.Groups.Add(new ListGroupsResponse.ListedGroup { GroupId = groupId, ProtocolType = protocolType, GroupState = state, GroupType = type });
        }
        context.Respond(response);
    }

    public static ListGroupsResponse Error(ListGroupsRequest request, ErrorCode error, short version) => new() { ErrorCode = (short)error };
}
