using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Sim.Groups;

/// <summary>States of a classic group, named as DescribeGroups reports them.</summary>
internal enum GroupState
{
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
}

/// <summary>
/// A classic consumer group and its coordinator state machine, as Kafka's GroupCoordinator runs it:
/// members join (dynamic members first get MEMBER_ID_REQUIRED from v4), the rebalance completes when
/// every known member rejoined or the rebalance timeout passed, the first member becomes leader, the
/// protocol every member supports with the most first-choice votes wins, the leader's SyncGroup hands
/// out assignments, and members that stop heartbeating within their session timeout are removed.
/// Static members (group.instance.id) keep their place across restarts and fence their old member id.
/// </summary>
internal sealed class ConsumerGroup(string groupId, int coordinatorEpoch, ClusterOptions options) : ICoordinatedGroup
{
    private readonly List<GroupMember> _members = new();
    private readonly Dictionary<string, long> _pendingMembers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _staticMembers = new(StringComparer.Ordinal);
    private long _rebalanceDeadline;
    private long _initialDelayUntil;
    private long _syncDeadline;

    public string GroupId { get; } = groupId;

    /// <summary>The coordinator slot epoch of the broker that loaded this state; a different one means the coordinator moved.</summary>
    public int CoordinatorEpoch { get; private set; } = coordinatorEpoch;

    public GroupState State { get; private set; } = GroupState.Empty;

    public int GenerationId { get; private set; }

    public string? ProtocolType { get; private set; }

    public string? ProtocolName { get; private set; }

    public string? LeaderId { get; private set; }

    public IReadOnlyList<GroupMember> Members => _members;

    public GroupMember? Member(string memberId) => _members.Find(m => m.MemberId == memberId);

    // ---- JoinGroup ----

    public void Join(RequestContext context, JoinGroupRequest request, long now)
    {
        short version = context.ApiVersion;
        int rebalanceTimeout = version == 0 || request.RebalanceTimeoutMs < 0 ? request.SessionTimeoutMs : request.RebalanceTimeoutMs;
        var protocols = request.Protocols.Select(p => (p.Name, p.Metadata.ToArray())).ToList();
        if (!AcceptsProtocols(request.ProtocolType, protocols))
        {
            context.Respond(GroupResponses.JoinError(ErrorCode.InconsistentGroupProtocol, request.MemberId, version));
            return;
        }

        if (request.MemberId.Length == 0)
        {
            string memberId = $"{request.GroupInstanceId ?? context.ClientId ?? ""}-{Guid.NewGuid()}";
            if (request.GroupInstanceId is string instanceId)
            {
                JoinStatic(context, request, instanceId, memberId, protocols, rebalanceTimeout, now);
                return;
            }
            if (version >= 4)
            {
                // KIP-394: the member learns its id first and joins with it, so a lost response leaves no ghost.
                _pendingMembers[memberId] = now + request.SessionTimeoutMs;
                context.Respond(GroupResponses.JoinError(ErrorCode.MemberIdRequired, memberId, version));
                return;
            }
            AddMember(context, request, memberId, protocols, rebalanceTimeout, now);
            return;
        }

        if (_pendingMembers.Remove(request.MemberId))
        {
            AddMember(context, request, request.MemberId, protocols, rebalanceTimeout, now);
            return;
        }
        GroupMember? member = Member(request.MemberId);
        if (request.GroupInstanceId is string instance && _staticMembers.TryGetValue(instance, out string? current) && current != request.MemberId)
        {
            context.Respond(GroupResponses.JoinError(ErrorCode.FencedInstanceId, request.MemberId, version));
            return;
        }
        if (member is null)
        {
            context.Respond(GroupResponses.JoinError(ErrorCode.UnknownMemberId, request.MemberId, version));
            return;
        }
        member.SessionTimeoutMs = request.SessionTimeoutMs;
        member.RebalanceTimeoutMs = rebalanceTimeout;
        member.SessionDeadline = now + request.SessionTimeoutMs;
        switch (State)
        {
            case GroupState.PreparingRebalance:
                member.Protocols = protocols;
                Replace(member.AwaitingJoin, ErrorCode.RebalanceInProgress);
                member.AwaitingJoin = context;
                TryCompleteJoin(now);
                break;
            case GroupState.CompletingRebalance when member.SameProtocols(protocols):
            case GroupState.Stable when member.SameProtocols(protocols) && member.MemberId != LeaderId:
                // Nothing changed: the member lost its response; send the current generation again.
                context.Respond(GroupResponses.Join(this, member));
                break;
            default:
                member.Protocols = protocols;
                member.AwaitingJoin = context;
                PrepareRebalance(now);
                TryCompleteJoin(now);
                break;
        }
    }

    private void JoinStatic(RequestContext context, JoinGroupRequest request, string instanceId, string memberId,
        List<(string Name, byte[] Metadata)> protocols, int rebalanceTimeout, long now)
    {
        if (!_staticMembers.TryGetValue(instanceId, out string? oldId) || Member(oldId) is not GroupMember member)
        {
            AddMember(context, request, memberId, protocols, rebalanceTimeout, now);
            return;
        }
        // The instance restarted: its new member id replaces (and fences) the old one.
        Replace(member.AwaitingJoin, ErrorCode.FencedInstanceId);
        Replace(member.AwaitingSync, ErrorCode.FencedInstanceId);
        member.AwaitingJoin = member.AwaitingSync = null;
        bool wasLeader = LeaderId == oldId;
        member.MemberId = memberId;
        _staticMembers[instanceId] = memberId;
        if (wasLeader) LeaderId = memberId;
        member.SessionTimeoutMs = request.SessionTimeoutMs;
        member.RebalanceTimeoutMs = rebalanceTimeout;
        member.SessionDeadline = now + request.SessionTimeoutMs;
        if (State == GroupState.Stable && member.SameProtocols(protocols) && !wasLeader)
        {
            context.Respond(GroupResponses.Join(this, member));
            return;
        }
        member.Protocols = protocols;
        member.AwaitingJoin = context;
        PrepareRebalance(now);
        TryCompleteJoin(now);
    }

    private void AddMember(RequestContext context, JoinGroupRequest request, string memberId, List<(string Name, byte[] Metadata)> protocols, int rebalanceTimeout, long now)
    {
        var member = new GroupMember(memberId, request.GroupInstanceId, context.ClientId ?? "", context.ClientHost)
        {
            SessionTimeoutMs = request.SessionTimeoutMs,
            RebalanceTimeoutMs = rebalanceTimeout,
            SessionDeadline = now + request.SessionTimeoutMs,
            Protocols = protocols,
            AwaitingJoin = context,
        };
        if (_members.Count == 0) ProtocolType = request.ProtocolType;
        _members.Add(member);
        if (request.GroupInstanceId is string instanceId) _staticMembers[instanceId] = memberId;
        PrepareRebalance(now);
        TryCompleteJoin(now);
    }

    // ---- SyncGroup ----

    public void Sync(RequestContext context, SyncGroupRequest request, long now)
    {
        ErrorCode error = CheckMember(request.MemberId, request.GroupInstanceId, request.GenerationId);
        if (error == ErrorCode.None && (request.ProtocolType is not null && request.ProtocolType != ProtocolType || request.ProtocolName is not null && request.ProtocolName != ProtocolName))
            error = ErrorCode.InconsistentGroupProtocol;
        if (error == ErrorCode.None && State == GroupState.PreparingRebalance) error = ErrorCode.RebalanceInProgress;
        if (error != ErrorCode.None)
        {
            context.Respond(GroupResponses.Sync(this, error, []));
            return;
        }
        GroupMember member = Member(request.MemberId)!;
        member.SessionDeadline = now + member.SessionTimeoutMs;
        member.HasSynced = true;
        if (State == GroupState.Stable)
        {
            context.Respond(GroupResponses.Sync(this, ErrorCode.None, member.Assignment));
            return;
        }
        Replace(member.AwaitingSync, ErrorCode.RebalanceInProgress);
        member.AwaitingSync = context;
        if (member.MemberId != LeaderId) return;
        foreach (GroupMember each in _members)
        {
            SyncGroupRequest.SyncGroupRequestAssignment? assignment = request.Assignments.Find(a => a.MemberId == each.MemberId);
            each.Assignment = assignment?.Assignment.ToArray() ?? [];
        }
        State = GroupState.Stable;
        foreach (GroupMember each in _members)
        {
            each.AwaitingSync?.Respond(GroupResponses.Sync(this, ErrorCode.None, each.Assignment));
            each.AwaitingSync = null;
        }
    }

    // ---- Heartbeat, LeaveGroup, OffsetCommit ----

    public ErrorCode Heartbeat(HeartbeatRequest request, long now)
    {
        ErrorCode error = CheckMember(request.MemberId, request.GroupInstanceId, request.GenerationId);
        if (error != ErrorCode.None) return error;
        GroupMember member = Member(request.MemberId)!;
        member.SessionDeadline = now + member.SessionTimeoutMs;
        return State == GroupState.PreparingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
    }

    /// <summary>Removes a member leaving on purpose; instance-id-only leaves (member id empty) are allowed for static members.</summary>
    public ErrorCode Leave(string memberId, string? groupInstanceId, long now)
    {
        GroupMember? member;
        if (groupInstanceId is not null)
        {
            if (!_staticMembers.TryGetValue(groupInstanceId, out string? current)) return ErrorCode.UnknownMemberId;
            if (memberId.Length > 0 && memberId != current) return ErrorCode.FencedInstanceId;
            member = Member(current);
        }
        else
        {
            member = Member(memberId);
        }
        if (member is null)
        {
            return _pendingMembers.Remove(memberId) ? ErrorCode.None : ErrorCode.UnknownMemberId;
        }
        Remove(member, ErrorCode.UnknownMemberId, now);
        return ErrorCode.None;
    }

    /// <summary>Whether a member may commit offsets now (Kafka's doCommitOffsets checks).</summary>
    public ErrorCode CheckCommit(string memberId, string? groupInstanceId, int generationId, long now)
    {
        if (generationId < 0 && State == GroupState.Empty) return ErrorCode.None;
        if (groupInstanceId is not null && _staticMembers.TryGetValue(groupInstanceId, out string? current) && current != memberId) return ErrorCode.FencedInstanceId;
        if (State == GroupState.CompletingRebalance) return ErrorCode.RebalanceInProgress;
        GroupMember? member = Member(memberId);
        if (member is null) return ErrorCode.UnknownMemberId;
        if (generationId != GenerationId) return ErrorCode.IllegalGeneration;
        member.SessionDeadline = now + member.SessionTimeoutMs;
        return ErrorCode.None;
    }

    // ---- time ----

    public void OnTick(long now)
    {
        foreach (string pending in _pendingMembers.Where(p => p.Value <= now).Select(p => p.Key).ToList()) _pendingMembers.Remove(pending);
        foreach (GroupMember member in _members.ToList())
        {
            // A member waiting in JoinGroup is alive: the rebalance timeout bounds it instead.
            if (member.AwaitingJoin is null && member.SessionDeadline <= now) Remove(member, ErrorCode.UnknownMemberId, now);
        }
        if (State == GroupState.CompletingRebalance && _syncDeadline <= now)
        {
            // Members that never synced in the rebalance timeout are dropped and the group rebalances.
            foreach (GroupMember member in _members.Where(m => !m.HasSynced).ToList()) Remove(member, ErrorCode.UnknownMemberId, now);
        }
        TryCompleteJoin(now);
    }

    /// <summary>
    /// The coordinator moved to a broker that now loads the group: joins and syncs waiting at the old one
    /// get NOT_COORDINATOR (their clients find the new one and send again), and every member's session and
    /// the rebalance in progress start afresh, as Kafka reschedules them when it loads a group.
    /// </summary>
    public void Load(int coordinatorEpoch, long now)
    {
        CoordinatorEpoch = coordinatorEpoch;
        foreach (GroupMember member in _members)
        {
            Replace(member.AwaitingJoin, ErrorCode.NotCoordinator);
            Replace(member.AwaitingSync, ErrorCode.NotCoordinator);
            member.AwaitingJoin = member.AwaitingSync = null;
            member.SessionDeadline = now + member.SessionTimeoutMs;
        }
        _pendingMembers.Clear();
        long rebalanceTimeout = _members.Select(m => m.RebalanceTimeoutMs).DefaultIfEmpty(0).Max();
        if (State == GroupState.PreparingRebalance) _rebalanceDeadline = now + rebalanceTimeout;
        if (State == GroupState.CompletingRebalance) _syncDeadline = now + rebalanceTimeout;
    }

    // ---- the rebalance ----

    private void PrepareRebalance(long now)
    {
        if (State == GroupState.PreparingRebalance) return;
        if (State == GroupState.CompletingRebalance)
        {
            foreach (GroupMember member in _members)
            {
                Replace(member.AwaitingSync, ErrorCode.RebalanceInProgress);
                member.AwaitingSync = null;
            }
        }
        if (State == GroupState.Empty && options.GroupInitialRebalanceDelayMs > 0) _initialDelayUntil = now + options.GroupInitialRebalanceDelayMs;
        State = GroupState.PreparingRebalance;
        _rebalanceDeadline = now + _members.Select(m => m.RebalanceTimeoutMs).DefaultIfEmpty(0).Max();
    }

    private void TryCompleteJoin(long now)
    {
        if (State != GroupState.PreparingRebalance) return;
        bool everyoneJoined = _members.All(m => m.AwaitingJoin is not null) && _pendingMembers.Count == 0;
        if (!everyoneJoined && now < _rebalanceDeadline) return;
        if (now < _initialDelayUntil && now < _rebalanceDeadline) return;

        foreach (GroupMember late in _members.Where(m => m.AwaitingJoin is null).ToList()) Forget(late);
        _pendingMembers.Clear();
        GenerationId++;
        if (_members.Count == 0)
        {
            State = GroupState.Empty;
            ProtocolName = null;
            LeaderId = null;
            return;
        }
        if (LeaderId is null || Member(LeaderId) is null) LeaderId = _members[0].MemberId;
        ProtocolName = SelectProtocol();
        State = GroupState.CompletingRebalance;
        _syncDeadline = now + _members.Select(m => m.RebalanceTimeoutMs).Max();
        foreach (GroupMember member in _members)
        {
            member.HasSynced = false;
            member.SessionDeadline = now + member.SessionTimeoutMs;
            member.AwaitingJoin!.Respond(GroupResponses.Join(this, member));
            member.AwaitingJoin = null;
        }
    }

    /// <summary>Among the protocols every member supports, the one most members list first (ties go to the leader's preference).</summary>
    private string SelectProtocol()
    {
        var candidates = _members[0].Protocols.Select(p => p.Name).Where(name => _members.All(m => m.MetadataFor(name) is not null)).ToList();
        var votes = candidates.ToDictionary(c => c, _ => 0);
        foreach (GroupMember member in _members) votes[member.Protocols.First(p => candidates.Contains(p.Name)).Name]++;
        List<string> leaderOrder = Member(LeaderId!)!.Protocols.Select(p => p.Name).ToList();
        return candidates.OrderByDescending(c => votes[c]).ThenBy(c => leaderOrder.IndexOf(c)).First();
    }

    private bool AcceptsProtocols(string protocolType, List<(string Name, byte[] Metadata)> protocols)
    {
        if (protocols.Count == 0 || protocolType.Length == 0) return false;
        if (_members.Count == 0) return true;
        return protocolType == ProtocolType && protocols.Any(p => _members.All(m => m.MetadataFor(p.Name) is not null));
    }

    private void Remove(GroupMember member, ErrorCode answer, long now)
    {
        Replace(member.AwaitingJoin, answer);
        Replace(member.AwaitingSync, answer);
        Forget(member);
        if (State is GroupState.Stable or GroupState.CompletingRebalance) PrepareRebalance(now);
        TryCompleteJoin(now);
    }

    private void Forget(GroupMember member)
    {
        _members.Remove(member);
        if (member.GroupInstanceId is string instanceId && _staticMembers.GetValueOrDefault(instanceId) == member.MemberId) _staticMembers.Remove(instanceId);
        if (LeaderId == member.MemberId) LeaderId = null;
    }

    private ErrorCode CheckMember(string memberId, string? groupInstanceId, int generationId)
    {
        if (groupInstanceId is not null && _staticMembers.TryGetValue(groupInstanceId, out string? current) && current != memberId) return ErrorCode.FencedInstanceId;
        if (Member(memberId) is null) return ErrorCode.UnknownMemberId;
        if (generationId != GenerationId) return ErrorCode.IllegalGeneration;
        return ErrorCode.None;
    }

    private static void Replace(RequestContext? waiting, ErrorCode error)
    {
        if (waiting is not null && !waiting.IsAnswered) waiting.Fail(error);
    }
}
