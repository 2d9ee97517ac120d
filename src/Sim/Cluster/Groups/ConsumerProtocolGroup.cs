using KafkaNative.Protocol;
using KafkaNative.Sim.Groups.Assignors;

namespace KafkaNative.Sim.Groups;

/// <summary>
/// A consumer-protocol group (KIP-848) and its coordinator state, as Kafka's GroupMetadataManager runs one: the group
/// epoch bumps when a member joins, leaves or changes its subscription, or when the subscribed topics' metadata changes;
/// each bump recomputes the target assignment with the server-side assignor (the assignment epoch then equals the group
/// epoch); each member then reconciles towards its target one heartbeat at a time (see <see cref="Reconciliation"/>).
/// Members expire after <c>group.consumer.session.timeout.ms</c> without a heartbeat, and are fenced when they do not
/// revoke within their rebalance timeout. The heartbeat flow itself is in <c>ConsumerProtocolGroupHeartbeat.cs</c>.
/// </summary>
internal sealed partial class ConsumerProtocolGroup(string groupId, int coordinatorEpoch, ClusterOptions options) : ICoordinatedGroup
{
    /// <summary>The member epoch with which a member leaves the group.</summary>
    public const int LeaveMemberEpoch = -1;

    /// <summary>The member epoch with which a static member leaves for a while, keeping its partitions until its session ends.</summary>
    public const int LeaveStaticMemberEpoch = -2;

    private readonly Dictionary<string, ConsumerProtocolMember> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _staticMembers = new(StringComparer.Ordinal);
    private Dictionary<string, HashSet<TopicAndPartition>> _target = new(StringComparer.Ordinal);
    private string _metadata = "";

    public string GroupId { get; } = groupId;

    /// <summary>The coordinator slot epoch of the broker that loaded this state; a different one means the coordinator moved.</summary>
    public int CoordinatorEpoch { get; private set; } = coordinatorEpoch;

    public int GroupEpoch { get; private set; }

    /// <summary>The group epoch the current target assignment was computed for.</summary>
    public int AssignmentEpoch { get; private set; }

    /// <summary>The assignor that computed the current target assignment.</summary>
    public string AssignorName { get; private set; } = ServerAssignors.Default.Name;

    /// <summary>How many times a check after a change found a partition owned by two members (must stay 0).</summary>
    public int DoubleOwnerships { get; private set; }

    /// <summary>What the first double ownership was, for a test's failure message.</summary>
    public string? FirstDoubleOwnership { get; private set; }

    public IReadOnlyCollection<ConsumerProtocolMember> Members => _members.Values;

    public ConsumerProtocolMember? Member(string memberId) => _members.GetValueOrDefault(memberId);

    public IReadOnlySet<TopicAndPartition> TargetOf(string memberId) =>
        _target.TryGetValue(memberId, out HashSet<TopicAndPartition>? target) ? target : new HashSet<TopicAndPartition>();

    /// <summary>The state as ConsumerGroupDescribe and ListGroups name it: Empty, Assigning, Reconciling or Stable.</summary>
    public string State =>
        _members.Count == 0 ? "Empty"
        : GroupEpoch > AssignmentEpoch ? "Assigning"
        : _members.Values.Any(m => !m.IsTemporarilyAway && (m.MemberEpoch != AssignmentEpoch || m.State != MemberReconciliation.Stable)) ? "Reconciling"
        : "Stable";

    /// <summary>Every owned partition with its owners (assigned or revoking), from the coordinator's view.</summary>
    public Dictionary<TopicAndPartition, List<string>> Owners()
    {
        var owners = new Dictionary<TopicAndPartition, List<string>>();
        foreach (ConsumerProtocolMember member in _members.Values)
        {
            foreach (TopicAndPartition tp in member.Owned)
            {
                if (!owners.TryGetValue(tp, out List<string>? list)) owners[tp] = list = [];
                list.Add(member.MemberId);
            }
        }
        return owners;
    }

    /// <summary>Whether a member other than <paramref name="memberId"/> owns <paramref name="tp"/>.</summary>
    private bool OwnedByOther(string memberId, TopicAndPartition tp) =>
        _members.Values.Any(m => m.MemberId != memberId && (m.Assigned.Contains(tp) || m.Revoking.Contains(tp)));

    private void CheckOwnership()
    {
        foreach ((TopicAndPartition tp, List<string> owners) in Owners())
        {
            if (owners.Count < 2) continue;
            DoubleOwnerships++;
            FirstDoubleOwnership ??= $"{tp} owned by {string.Join(", ", owners)} at group epoch {GroupEpoch}";
        }
    }

    // ---- subscriptions and the target assignment ----

    /// <summary>The existing topics <paramref name="member"/> subscribes to, by name or by its regex (full match, as RE2/J's matches()).</summary>
    private static HashSet<string> TopicsOf(ConsumerProtocolMember member, IReadOnlyList<TopicSnapshot> topics)
    {
        var result = new HashSet<string>(member.SubscribedTopicNames.Where(n => topics.Any(t => t.Name == n)), StringComparer.Ordinal);
        if (member.SubscribedTopicRegex is { Length: > 0 } regex && TopicRegex.TryParse(regex) is { } pattern)
        {
            foreach (TopicSnapshot topic in topics)
            {
                if (pattern.IsMatch(topic.Name)) result.Add(topic.Name);
            }
        }
        return result;
    }

    /// <summary>Names, ids and partition counts of every subscribed topic: a change bumps the group epoch.</summary>
    private string Metadata(IReadOnlyList<TopicSnapshot> topics)
    {
        var subscribed = new SortedSet<string>(_members.Values.SelectMany(m => TopicsOf(m, topics)), StringComparer.Ordinal);
        return string.Join(";", subscribed.Select(name => topics.First(t => t.Name == name)).Select(t => $"{t.Name}:{t.Id}:{t.Partitions.Count}"));
    }

    /// <summary>Bumps the group epoch when <paramref name="changed"/> or the subscribed topics' metadata changed, and recomputes the target.</summary>
    private void MaybeBump(bool changed, IReadOnlyList<TopicSnapshot> topics)
    {
        string metadata = Metadata(topics);
        if (!changed && metadata == _metadata) return;
        _metadata = metadata;
        GroupEpoch++;
        ComputeTarget(topics);
    }

    private void ComputeTarget(IReadOnlyList<TopicSnapshot> topics)
    {
        var members = _members.Values.Select(m => new AssignorMember(m.MemberId, m.InstanceId, m.RackId, TopicsOf(m, topics))).ToList();
        var counts = members.SelectMany(m => m.Topics).Distinct().ToDictionary(name => name, name => topics.First(t => t.Name == name).Partitions.Count);
        IServerAssignor assignor = PreferredAssignor();
        _target = assignor.Assign(members, counts, _target);
        AssignorName = assignor.Name;
        AssignmentEpoch = GroupEpoch;
    }

    /// <summary>The assignor most members ask for (ties by name), else the default, as Kafka's computePreferredServerAssignor.</summary>
    private IServerAssignor PreferredAssignor()
    {
        string? name = _members.Values.Where(m => m.ServerAssignor is not null).GroupBy(m => m.ServerAssignor!)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).FirstOrDefault();
        return (name is null ? null : ServerAssignors.Find(name)) ?? ServerAssignors.Default;
    }

    // ---- members going away ----

    /// <summary>Removes a member (it left, expired or was fenced): its partitions are free at once, and the group epoch bumps.</summary>
    private void RemoveMember(ConsumerProtocolMember member, IReadOnlyList<TopicSnapshot> topics)
    {
        _members.Remove(member.MemberId);
        _target.Remove(member.MemberId);
        if (member.InstanceId is string instanceId && _staticMembers.GetValueOrDefault(instanceId) == member.MemberId) _staticMembers.Remove(instanceId);
        MaybeBump(changed: true, topics);
    }

    /// <summary>Expires members whose session ended and fences those that did not revoke in time; follows topic metadata changes.</summary>
    public void OnTick(long now, IReadOnlyList<TopicSnapshot> topics)
    {
        foreach (ConsumerProtocolMember member in _members.Values.ToList())
        {
            if (member.SessionDeadline <= now || member.RevocationDeadline <= now) RemoveMember(member, topics);
        }
        if (_members.Count > 0) MaybeBump(changed: false, topics);
        CheckOwnership();
    }

    /// <summary>
    /// The coordinator moved to a broker that now loads the group: every session and pending revocation starts afresh,
    /// as Kafka reschedules the timers when it replays the group from __consumer_offsets.
    /// </summary>
    public void Load(int coordinatorEpoch, long now)
    {
        CoordinatorEpoch = coordinatorEpoch;
        foreach (ConsumerProtocolMember member in _members.Values)
        {
            member.SessionDeadline = now + options.ConsumerGroupSessionTimeoutMs;
            if (member.RevocationDeadline != long.MaxValue) member.RevocationDeadline = now + member.RebalanceTimeoutMs;
        }
    }

    // ---- offsets ----

    /// <summary>
    /// Whether a commit may go ahead (Kafka's ConsumerGroup.validateOffsetCommit): one without a member epoch only while
    /// the group is empty; a member's only at its current member epoch (STALE_MEMBER_EPOCH otherwise), and outside a
    /// transaction only with OffsetCommit v9 or later.
    /// </summary>
    public ErrorCode CheckCommit(string memberId, int memberEpoch, bool transactional, short version)
    {
        if (memberEpoch < 0 && _members.Count == 0) return ErrorCode.None;
        if (Member(memberId) is not ConsumerProtocolMember member) return ErrorCode.UnknownMemberId;
        if (!transactional && version < 9) return ErrorCode.UnsupportedVersion;
        return memberEpoch == member.MemberEpoch ? ErrorCode.None : ErrorCode.StaleMemberEpoch;
    }

    /// <summary>Whether an OffsetFetch v9+ naming a member may read (Kafka's validateOffsetFetch); one without a member id always may.</summary>
    public ErrorCode CheckFetch(string? memberId, int memberEpoch)
    {
        if (memberId is null && memberEpoch < 0) return ErrorCode.None;
        if (memberId is null || Member(memberId) is not ConsumerProtocolMember member) return ErrorCode.UnknownMemberId;
        return memberEpoch == member.MemberEpoch ? ErrorCode.None : ErrorCode.StaleMemberEpoch;
    }
}
