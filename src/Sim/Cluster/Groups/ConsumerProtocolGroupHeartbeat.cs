using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Sim.Groups;

/// <summary>A ConsumerGroupHeartbeat refused with a Kafka error (and its message).</summary>
internal sealed class HeartbeatRefused(ErrorCode error, string message) : Exception(message)
{
    public ErrorCode Error { get; } = error;
}

internal sealed partial class ConsumerProtocolGroup
{
    /// <summary>
    /// One ConsumerGroupHeartbeat, as Kafka's consumerGroupHeartbeat: leave (epoch -1) or leave for a while (epoch -2,
    /// static members); otherwise find or create the member (epoch 0 joins; a static member whose instance left
    /// with -2 replaces it and inherits its partitions), check its epoch, apply what changed, bump the group epoch and
    /// recompute the target when needed, and reconcile the member. The response carries the assignment when the request
    /// was a full one (a join) or the assignment changed. Throws <see cref="HeartbeatRefused"/>.
    /// </summary>
    public ConsumerGroupHeartbeatResponse Heartbeat(RequestContext context, ConsumerGroupHeartbeatRequest request, IReadOnlyList<TopicSnapshot> topics, long now)
    {
        if (request.MemberEpoch is LeaveMemberEpoch or LeaveStaticMemberEpoch) return Leave(request, topics, now);
        HashSet<TopicAndPartition>? owned = request.TopicPartitions is null ? null : OwnedPartitions(request.TopicPartitions, topics);
        // v0: a member joining without an id gets one, in the form of Kafka's Uuid.toString() (22 URL-safe base64 characters).
        string memberId = request.MemberId.Length > 0 ? request.MemberId
            : Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        (ConsumerProtocolMember member, bool created, ConsumerProtocolMember? replaced) = FindMember(request, memberId, owned);

        bool changed = created;
        if (request.InstanceId is not null) member.InstanceId = request.InstanceId;
        if (request.RackId is not null) member.RackId = request.RackId;
        if (request.RebalanceTimeoutMs >= 0) member.RebalanceTimeoutMs = request.RebalanceTimeoutMs;
        if (request.ServerAssignor is not null && request.ServerAssignor != member.ServerAssignor)
        {
            member.ServerAssignor = request.ServerAssignor;
            changed = true;
        }
        if (request.SubscribedTopicNames is not null && !request.SubscribedTopicNames.SequenceEqual(member.SubscribedTopicNames))
        {
            member.SubscribedTopicNames = request.SubscribedTopicNames.ToList();
            changed = true;
        }
        if (request.SubscribedTopicRegex is not null && (request.SubscribedTopicRegex.Length == 0 ? null : request.SubscribedTopicRegex) is var regex && regex != member.SubscribedTopicRegex)
        {
            member.SubscribedTopicRegex = regex;
            changed = true;
        }
        member.ClientId = context.ClientId ?? "";
        member.ClientHost = "/" + context.ClientHost;
        member.SessionDeadline = now + options.ConsumerGroupSessionTimeoutMs;

        if (replaced is not null)
        {
            // The returning static member takes its predecessor's place and target; the group epoch does not move.
            _members.Remove(replaced.MemberId);
            if (_target.Remove(replaced.MemberId, out HashSet<TopicAndPartition>? target)) _target[member.MemberId] = target;
            _members[member.MemberId] = member;
            _staticMembers[member.InstanceId!] = member.MemberId;
            if (!_target.ContainsKey(member.MemberId)) changed = true;
        }
        else if (created)
        {
            _members[member.MemberId] = member;
            if (member.InstanceId is string instanceId) _staticMembers[instanceId] = member.MemberId;
        }
        MaybeBump(changed, topics);

        HashSet<TopicAndPartition> assignedBefore = member.Assigned.ToHashSet();
        Reconciliation.Reconcile(member, TargetOf(member.MemberId), AssignmentEpoch, owned, tp => OwnedByOther(member.MemberId, tp), now);
        CheckOwnership();

        var response = new ConsumerGroupHeartbeatResponse
        {
            ErrorCode = (short)ErrorCode.None,
            MemberId = member.MemberId,
            MemberEpoch = member.MemberEpoch,
            HeartbeatIntervalMs = options.ConsumerGroupHeartbeatIntervalMs,
        };
        // Kafka sends the assignment on a full request (a join, or one with the rebalance timeout, the subscribed topic names
        // and the owned partitions, as a member sends after an error) or when the assignment changed.
        bool full = request.MemberEpoch == 0 || request.RebalanceTimeoutMs != -1 && request.SubscribedTopicNames is not null && owned is not null;
        if (full || !assignedBefore.SetEquals(member.Assigned))
            response.Assignment = new ConsumerGroupHeartbeatResponse.AssignmentData { TopicPartitions = ById(member.Assigned, topics) };
        return response;
    }

    private (ConsumerProtocolMember Member, bool Created, ConsumerProtocolMember? Replaced) FindMember(
        ConsumerGroupHeartbeatRequest request, string memberId, HashSet<TopicAndPartition>? owned)
    {
        if (request.InstanceId is null)
        {
            ConsumerProtocolMember? existing = Member(memberId);
            if (existing is not null && existing.InstanceId is not null && request.MemberEpoch != 0)
            {
                // Later heartbeats of a static member may leave the instance id out (null means unchanged).
                CheckEpoch(existing, request.MemberEpoch, owned);
                return (existing, false, null);
            }
            if (request.MemberEpoch == 0) return existing is null ? (new ConsumerProtocolMember(memberId), true, null) : (Rejoin(existing), false, null);
            if (existing is null) throw new HeartbeatRefused(ErrorCode.UnknownMemberId, $"Member {memberId} is not a member of group {GroupId}.");
            CheckEpoch(existing, request.MemberEpoch, owned);
            return (existing, false, null);
        }

        ConsumerProtocolMember? holder = _staticMembers.TryGetValue(request.InstanceId, out string? holderId) ? Member(holderId) : null;
        if (request.MemberEpoch == 0)
        {
            if (holder is null)
            {
                ConsumerProtocolMember? same = Member(memberId);
                return same is null ? (new ConsumerProtocolMember(memberId) { InstanceId = request.InstanceId }, true, null) : (Rejoin(same), false, null);
            }
            if (holder.MemberId == memberId && !holder.IsTemporarilyAway) return (Rejoin(holder), false, null);
            if (!holder.IsTemporarilyAway)
                throw new HeartbeatRefused(ErrorCode.UnreleasedInstanceId, $"Instance id {request.InstanceId} is still owned by member {holder.MemberId}.");
            var successor = new ConsumerProtocolMember(memberId)
            {
                InstanceId = request.InstanceId,
                RackId = holder.RackId,
                RebalanceTimeoutMs = holder.RebalanceTimeoutMs,
                SubscribedTopicNames = holder.SubscribedTopicNames,
                SubscribedTopicRegex = holder.SubscribedTopicRegex,
                ServerAssignor = holder.ServerAssignor,
                Assigned = holder.Assigned.ToHashSet(),
            };
            return (successor, false, holder);
        }
        if (holder is null) throw new HeartbeatRefused(ErrorCode.UnknownMemberId, $"Instance id {request.InstanceId} is unknown.");
        if (holder.MemberId != memberId)
            throw new HeartbeatRefused(ErrorCode.FencedInstanceId, $"Static member {memberId} with instance id {request.InstanceId} was fenced by member {holder.MemberId}.");
        CheckEpoch(holder, request.MemberEpoch, owned);
        return (holder, false, null);
    }

    /// <summary>
    /// A known member joining again with epoch 0 (after FENCED_MEMBER_EPOCH, or a lost join response): its epoch is not
    /// checked and it gets its current state back, as Kafka does since KAFKA-19233 (members keep their id, KIP-1082).
    /// </summary>
    private static ConsumerProtocolMember Rejoin(ConsumerProtocolMember member) => member;

    /// <summary>
    /// FENCED_MEMBER_EPOCH for an epoch ahead of the member's, or behind it unless it is the previous epoch and the
    /// reported partitions are among those assigned (the response with the bump may have been lost).
    /// </summary>
    private static void CheckEpoch(ConsumerProtocolMember member, int received, HashSet<TopicAndPartition>? owned)
    {
        if (received > member.MemberEpoch)
            throw new HeartbeatRefused(ErrorCode.FencedMemberEpoch, $"Member epoch {received} is ahead of the coordinator's {member.MemberEpoch}.");
        if (received < member.MemberEpoch && (received != member.PreviousMemberEpoch || owned is null || !owned.IsSubsetOf(member.Assigned)))
            throw new HeartbeatRefused(ErrorCode.FencedMemberEpoch, $"Member epoch {received} is behind the coordinator's {member.MemberEpoch}.");
    }

    private ConsumerGroupHeartbeatResponse Leave(ConsumerGroupHeartbeatRequest request, IReadOnlyList<TopicSnapshot> topics, long now)
    {
        ConsumerProtocolMember? member;
        if (request.InstanceId is not null)
        {
            member = _staticMembers.TryGetValue(request.InstanceId, out string? holderId) ? Member(holderId) : null;
            if (member is null) throw new HeartbeatRefused(ErrorCode.UnknownMemberId, $"Instance id {request.InstanceId} is unknown.");
            if (member.MemberId != request.MemberId)
                throw new HeartbeatRefused(ErrorCode.FencedInstanceId, $"Instance id {request.InstanceId} is owned by member {member.MemberId}.");
        }
        else
        {
            if (request.MemberEpoch == LeaveStaticMemberEpoch) throw new HeartbeatRefused(ErrorCode.InvalidRequest, "InstanceId can't be null.");
            member = Member(request.MemberId) ?? throw new HeartbeatRefused(ErrorCode.UnknownMemberId, $"Member {request.MemberId} is not a member of group {GroupId}.");
        }
        if (request.MemberEpoch == LeaveStaticMemberEpoch)
        {
            // The instance keeps its partitions until it returns or its session (counted from now) ends; nothing is reassigned meanwhile.
            member.MemberEpoch = LeaveStaticMemberEpoch;
            member.SessionDeadline = now + options.ConsumerGroupSessionTimeoutMs;
        }
        else
        {
            RemoveMember(member, topics);
        }
        CheckOwnership();
        return new ConsumerGroupHeartbeatResponse { ErrorCode = (short)ErrorCode.None, MemberId = member.MemberId, MemberEpoch = request.MemberEpoch };
    }

    private static HashSet<TopicAndPartition> OwnedPartitions(List<ConsumerGroupHeartbeatRequest.TopicPartitionsData> reported, IReadOnlyList<TopicSnapshot> topics)
    {
        var owned = new HashSet<TopicAndPartition>();
        foreach (ConsumerGroupHeartbeatRequest.TopicPartitionsData topic in reported)
        {
            // A topic id the cluster no longer knows (deleted) owns nothing the coordinator could give anyone.
            if (topics.FirstOrDefault(t => t.Id == topic.TopicId) is not TopicSnapshot known) continue;
            foreach (int partition in topic.Partitions) owned.Add(new TopicAndPartition(known.Name, partition));
        }
        return owned;
    }

    /// <summary>Partitions grouped by topic id, in name and partition order; topics deleted meanwhile are left out.</summary>
    private static List<ConsumerGroupHeartbeatResponse.TopicPartitions> ById(IEnumerable<TopicAndPartition> partitions, IReadOnlyList<TopicSnapshot> topics) =>
        partitions.GroupBy(p => p.Topic).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Topic: topics.FirstOrDefault(t => t.Name == g.Key), Partitions: g.Select(p => p.Partition).Order().ToList()))
            .Where(t => t.Topic is not null)
            .Select(t => new ConsumerGroupHeartbeatResponse.TopicPartitions { TopicId = t.Topic!.Id, Partitions = t.Partitions })
            .ToList();
}
