using System.Text.RegularExpressions;
using System.Threading.Channels;
using KafkaNative.Client;
using KafkaNative.Consumer.Assignors;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Consumer.Groups;

/// <summary>
/// Membership of a consumer group with the classic protocol: FindCoordinator, JoinGroup (the leader
/// runs the assignor), SyncGroup, Heartbeat until a rebalance, and LeaveGroup. Eager strategies revoke
/// everything before rejoining; cooperative-sticky revokes only what moves and rejoins once more.
/// UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION lose the partitions (no commit), FENCED_INSTANCE_ID is fatal,
/// coordinator errors find the coordinator again. Also commits and fetches the group's offsets.
/// </summary>
internal sealed class ConsumerGroupMember : IDisposable
{
    private readonly KafkaCluster _cluster;
    private readonly ConsumerOptions _options;
    private readonly string _groupId;
    private readonly IGroupListener _listener;
    private readonly ILogger _logger;
    private readonly GroupCoordinator _coordinator;
    private readonly IPartitionAssignor[] _assignors;
    private readonly bool _cooperative;
    private readonly Channel<bool> _rejoin = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock _lock = new();
    private List<TopicPartition> _owned = [];
    private IReadOnlyList<string> _topics = [];
    private Regex? _pattern;
    private string _memberId = "";
    private int _generation = -1;

    public ConsumerGroupMember(KafkaCluster cluster, ConsumerOptions options, IGroupListener listener)
    {
        _cluster = cluster;
        _options = options;
        _groupId = options.GroupId ?? throw new InvalidOperationException("A group needs a GroupId.");
        _listener = listener;
        _logger = options.LoggerFactory.CreateLogger<ConsumerGroupMember>();
        _coordinator = new GroupCoordinator(cluster, _groupId);
        _assignors = options.AssignmentStrategies.Distinct().Select(PartitionAssignors.Create).ToArray();
        _cooperative = _assignors.All(a => a.IsCooperative);
    }

    public string MemberId
    {
        get
        {
            lock (_lock) return _memberId;
        }
    }

    public int Generation
    {
        get
        {
            lock (_lock) return _generation;
        }
    }

    public IReadOnlyList<TopicPartition> Owned
    {
        get
        {
            lock (_lock) return [.. _owned];
        }
    }

    /// <summary>Sets the subscription (a list or a pattern) and asks for a rejoin.</summary>
    public void SetSubscription(IReadOnlyList<string> topics, Regex? pattern)
    {
        lock (_lock)
        {
            _topics = topics;
            _pattern = pattern;
        }
        _rejoin.Writer.TryWrite(true);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        bool joined = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!joined)
                {
                    _rejoin.Reader.TryRead(out _);
                    if (!_cooperative && _owned.Count > 0) await RevokeAsync(_owned, lost: false, cancellationToken).ConfigureAwait(false);
                    IReadOnlyList<string> topics = await ResolveTopicsAsync(cancellationToken).ConfigureAwait(false);
                    joined = await JoinAndSyncAsync(topics, cancellationToken).ConfigureAwait(false);
                    if (!joined) continue;
                }
                joined = await HeartbeatAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (KafkaConsumeException fatal)
            {
                _listener.OnFatalError(fatal);
                return;
            }
            catch (Exception error) when (error is KafkaException or TimeoutException or ObjectDisposedException)
            {
                Log.CoordinatorFailed(_logger, error, _groupId);
                _coordinator.Invalidate();
                joined = false;
                try
                {
                    await Task.Delay(_options.RetryBackoff * 5, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<IReadOnlyList<string>> ResolveTopicsAsync(CancellationToken cancellationToken)
    {
        Regex? pattern;
        IReadOnlyList<string> topics;
        lock (_lock)
        {
            pattern = _pattern;
            topics = _topics;
        }
        if (pattern is null) return topics;
        MetadataResponse all = await _cluster.SendToAnyBrokerAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = null }, cancellationToken).ConfigureAwait(false);
        return all.Topics.Where(t => t.Name is not null && !t.IsInternal && pattern.IsMatch(t.Name)).Select(t => t.Name!).Order(StringComparer.Ordinal).ToList();
    }

    private async Task<bool> JoinAndSyncAsync(IReadOnlyList<string> topics, CancellationToken cancellationToken)
    {
        string memberId;
        int generation;
        List<TopicPartition> owned;
        lock (_lock)
        {
            memberId = _memberId;
            generation = _generation;
            owned = [.. _owned];
        }
        var join = new JoinGroupRequest
        {
            GroupId = _groupId,
            SessionTimeoutMs = (int)_options.SessionTimeout.TotalMilliseconds,
            RebalanceTimeoutMs = (int)_options.RebalanceTimeout.TotalMilliseconds,
            MemberId = memberId,
            GroupInstanceId = _options.GroupInstanceId,
            ProtocolType = ConsumerProtocol.ProtocolType,
        };
        foreach (IPartitionAssignor assignor in _assignors)
        {
            join.Protocols.Add(new JoinGroupRequest.JoinGroupRequestProtocol
            {
                Name = assignor.Name,
                Metadata = ConsumerProtocol.EncodeSubscription(topics, _cooperative ? owned : [], generation, _options.ClientRack),
            });
        }
        var joinOptions = new SendOptions(Timeout: _options.RebalanceTimeout + _options.RequestTimeout);
        JoinGroupResponse joined = await _coordinator.SendAsync<JoinGroupRequest, JoinGroupResponse>(join, r => (ErrorCode)r.ErrorCode, joinOptions, cancellationToken).ConfigureAwait(false);
        var error = (ErrorCode)joined.ErrorCode;
        switch (error)
        {
            case ErrorCode.None:
                break;
            case ErrorCode.MemberIdRequired:
                lock (_lock) _memberId = joined.MemberId;
                return false;
            case ErrorCode.UnknownMemberId:
            case ErrorCode.IllegalGeneration:
                await ResetMembershipAsync(error, cancellationToken).ConfigureAwait(false);
                return false;
            case ErrorCode.RebalanceInProgress:
                return false;
            case ErrorCode.FencedInstanceId:
            case ErrorCode.GroupAuthorizationFailed:
            case ErrorCode.InconsistentGroupProtocol:
            case ErrorCode.InvalidSessionTimeout:
            case ErrorCode.GroupMaxSizeReached:
                throw new KafkaConsumeException(error, null, $"Joining group {_groupId} failed: {error.Name()}: {error.Message()}");
            default:
                if (GroupCoordinator.IsCoordinatorError(error) || error.IsRetriable())
                    throw new KafkaErrorException(error, $"JoinGroup {_groupId}", (string?)null);
                throw new KafkaConsumeException(error, null, $"Joining group {_groupId} failed: {error.Name()}: {error.Message()}");
        }
        memberId = joined.MemberId;
        generation = joined.GenerationId;
        string protocol = joined.ProtocolName ?? _assignors[0].Name;
        bool leader = joined.Leader == memberId;
        lock (_lock)
        {
            _memberId = memberId;
            _generation = generation;
        }

        var sync = new SyncGroupRequest
        {
            GroupId = _groupId,
            GenerationId = generation,
            MemberId = memberId,
            GroupInstanceId = _options.GroupInstanceId,
            ProtocolType = ConsumerProtocol.ProtocolType,
            ProtocolName = protocol,
        };
        if (leader && !joined.SkipAssignment)
        {
            foreach ((string member, List<TopicPartition> partitions) in await AssignAsync(protocol, joined.Members, cancellationToken).ConfigureAwait(false))
                sync.Assignments.Add(new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = member, Assignment = ConsumerProtocol.EncodeAssignment(partitions) });
        }
        SyncGroupResponse synced = await _coordinator.SendAsync<SyncGroupRequest, SyncGroupResponse>(sync, r => (ErrorCode)r.ErrorCode, joinOptions, cancellationToken).ConfigureAwait(false);
        error = (ErrorCode)synced.ErrorCode;
        switch (error)
        {
            case ErrorCode.None:
                break;
            case ErrorCode.RebalanceInProgress:
                return false;
            case ErrorCode.UnknownMemberId:
            case ErrorCode.IllegalGeneration:
                await ResetMembershipAsync(error, cancellationToken).ConfigureAwait(false);
                return false;
            case ErrorCode.FencedInstanceId:
            case ErrorCode.GroupAuthorizationFailed:
                throw new KafkaConsumeException(error, null, $"SyncGroup for group {_groupId} failed: {error.Name()}: {error.Message()}");
            default:
                throw new KafkaErrorException(error, $"SyncGroup {_groupId}", (string?)null);
        }

        List<TopicPartition> assigned = ConsumerProtocol.DecodeAssignment(synced.Assignment);
        Log.Joined(_logger, _groupId, generation, memberId, leader, protocol, string.Join(",", assigned));
        var previous = new HashSet<TopicPartition>(_owned);
        var revoked = _owned.Where(p => !assigned.Contains(p)).ToList();
        var added = assigned.Where(p => !previous.Contains(p)).ToList();
        if (revoked.Count > 0) await RevokeAsync(revoked, lost: false, cancellationToken).ConfigureAwait(false);
        lock (_lock) _owned = [.. _owned.Where(assigned.Contains), .. added];
        if (added.Count > 0) await _listener.OnAssignedAsync(added, cancellationToken).ConfigureAwait(false);
        if (_cooperative && revoked.Count > 0)
        {
            // Cooperative: partitions given up go to their new owner in a follow-up rebalance.
            Log.Rejoining(_logger, _groupId, $"revoked {revoked.Count} partitions for their new owners");
            return false;
        }
        return true;
    }

    private async Task<Dictionary<string, List<TopicPartition>>> AssignAsync(string protocol, List<JoinGroupResponse.JoinGroupResponseMember> joinedMembers, CancellationToken cancellationToken)
    {
        IPartitionAssignor assignor = _assignors.FirstOrDefault(a => a.Name == protocol)
            ?? throw new KafkaConsumeException(ErrorCode.InconsistentGroupProtocol, null, $"The group chose protocol {protocol}, which this member did not offer.");
        var members = new List<GroupMemberSubscription>();
        foreach (JoinGroupResponse.JoinGroupResponseMember member in joinedMembers)
        {
            try
            {
                members.Add(ConsumerProtocol.DecodeSubscription(member.MemberId, member.GroupInstanceId, member.Metadata));
            }
            catch (KafkaProtocolException error)
            {
                // A member with unreadable metadata gets nothing rather than breaking the group.
                Log.CoordinatorFailed(_logger, error, _groupId);
                members.Add(new GroupMemberSubscription(member.MemberId, member.GroupInstanceId, [], []));
            }
        }
        var partitionsPerTopic = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string topic in members.SelectMany(m => m.Topics).Distinct(StringComparer.Ordinal))
        {
            TopicMetadata metadata = await _cluster.GetTopicAsync(topic, cancellationToken).ConfigureAwait(false);
            if (metadata.Error == ErrorCode.None && metadata.Partitions.Count > 0) partitionsPerTopic[topic] = metadata.Partitions.Count;
        }
        return assignor.Assign(partitionsPerTopic, members);
    }

    /// <summary>Heartbeats until a rejoin is needed; returns whether the member is still joined.</summary>
    private async Task<bool> HeartbeatAsync(CancellationToken cancellationToken)
    {
        using var delay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        delay.CancelAfter(_options.HeartbeatInterval);
        try
        {
            await _rejoin.Reader.WaitToReadAsync(delay.Token).ConfigureAwait(false);
            Log.Rejoining(_logger, _groupId, "the subscription changed");
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The heartbeat interval passed.
        }
        var heartbeat = new HeartbeatRequest { GroupId = _groupId, GenerationId = Generation, MemberId = MemberId, GroupInstanceId = _options.GroupInstanceId };
        HeartbeatResponse response = await _coordinator.SendAsync<HeartbeatRequest, HeartbeatResponse>(heartbeat, r => (ErrorCode)r.ErrorCode, default, cancellationToken).ConfigureAwait(false);
        var error = (ErrorCode)response.ErrorCode;
        switch (error)
        {
            case ErrorCode.None:
                return true;
            case ErrorCode.RebalanceInProgress:
                Log.Rejoining(_logger, _groupId, "the group is rebalancing");
                return false;
            case ErrorCode.UnknownMemberId:
            case ErrorCode.IllegalGeneration:
                await ResetMembershipAsync(error, cancellationToken).ConfigureAwait(false);
                return false;
            case ErrorCode.FencedInstanceId:
                throw new KafkaConsumeException(error, null, $"Group {_groupId}: another member with instance id {_options.GroupInstanceId} took over: {error.Message()}");
            default:
                if (GroupCoordinator.IsCoordinatorError(error)) return true;
                throw new KafkaErrorException(error, $"Heartbeat {_groupId}", (string?)null);
        }
    }

    private async Task ResetMembershipAsync(ErrorCode error, CancellationToken cancellationToken)
    {
        Log.Rejoining(_logger, _groupId, $"{error.Name()}: partitions lost");
        List<TopicPartition> lost;
        lock (_lock)
        {
            lost = _owned;
            _owned = [];
            if (error == ErrorCode.UnknownMemberId) _memberId = "";
            _generation = -1;
        }
        if (lost.Count > 0) await _listener.OnRevokedAsync(lost, lost: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task RevokeAsync(List<TopicPartition> partitions, bool lost, CancellationToken cancellationToken)
    {
        List<TopicPartition> copy = [.. partitions];
        await _listener.OnRevokedAsync(copy, lost, cancellationToken).ConfigureAwait(false);
        lock (_lock) _owned = [.. _owned.Where(p => !copy.Contains(p))];
    }

    /// <summary>Commits offsets (generation and member id when joined, else as a standalone consumer).</summary>
    /// <exception cref="KafkaErrorException">The commit failed (for example REBALANCE_IN_PROGRESS: the partitions moved).</exception>
    public async Task CommitAsync(IReadOnlyCollection<TopicPartitionOffset> offsets, CancellationToken cancellationToken)
    {
        if (offsets.Count == 0) return;
        var request = new OffsetCommitRequest
        {
            GroupId = _groupId,
            GenerationIdOrMemberEpoch = Generation,
            MemberId = MemberId,
            GroupInstanceId = _options.GroupInstanceId,
        };
        foreach (IGrouping<string, TopicPartitionOffset> topic in offsets.GroupBy(o => o.Topic, StringComparer.Ordinal))
        {
            var t = new OffsetCommitRequest.OffsetCommitRequestTopic { Name = topic.Key };
            foreach (TopicPartitionOffset offset in topic)
                t.Partitions.Add(new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = offset.Partition, CommittedOffset = offset.Offset, CommittedMetadata = "" });
            request.Topics.Add(t);
        }
        for (int attempt = 0; ; attempt++)
        {
            OffsetCommitResponse response = await _coordinator.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(request, FirstError, new SendOptions(MaxVersion: 8), cancellationToken).ConfigureAwait(false);
            ErrorCode error = FirstError(response);
            if (error == ErrorCode.None) return;
            if ((GroupCoordinator.IsCoordinatorError(error) || error == ErrorCode.RequestTimedOut) && attempt < 3)
            {
                await Task.Delay(_options.RetryBackoff, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (error is ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration or ErrorCode.RebalanceInProgress) _rejoin.Writer.TryWrite(true);
            throw new KafkaErrorException(error, $"OffsetCommit for group {_groupId}", (string?)null);
        }

        static ErrorCode FirstError(OffsetCommitResponse r) =>
            r.Topics.SelectMany(t => t.Partitions).Select(p => (ErrorCode)p.ErrorCode).FirstOrDefault(e => e != ErrorCode.None);
    }

    /// <summary>The group's committed offsets (-1 where there is none).</summary>
    public async Task<IReadOnlyList<TopicPartitionOffset>> FetchCommittedAsync(IReadOnlyCollection<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        var request = new OffsetFetchRequest { GroupId = _groupId, Topics = [] };
        foreach (IGrouping<string, TopicPartition> topic in partitions.GroupBy(p => p.Topic, StringComparer.Ordinal))
            request.Topics.Add(new OffsetFetchRequest.OffsetFetchRequestTopic { Name = topic.Key, PartitionIndexes = topic.Select(p => p.Partition).ToList() });
        for (int attempt = 0; ; attempt++)
        {
            OffsetFetchResponse response = await _coordinator.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(request, r => (ErrorCode)r.ErrorCode, new SendOptions(MaxVersion: 7), cancellationToken).ConfigureAwait(false);
            var error = (ErrorCode)response.ErrorCode;
            if (error == ErrorCode.None)
            {
                error = response.Topics.SelectMany(t => t.Partitions).Select(p => (ErrorCode)p.ErrorCode).FirstOrDefault(e => e != ErrorCode.None);
            }
            if (error == ErrorCode.None)
            {
                var result = new List<TopicPartitionOffset>();
                foreach (TopicPartition partition in partitions)
                {
                    long offset = response.Topics.Where(t => t.Name == partition.Topic).SelectMany(t => t.Partitions)
                        .Where(p => p.PartitionIndex == partition.Partition).Select(p => p.CommittedOffset).DefaultIfEmpty(-1).First();
                    result.Add(new TopicPartitionOffset(partition, offset));
                }
                return result;
            }
            if ((GroupCoordinator.IsCoordinatorError(error) || error.IsRetriable()) && attempt < 10)
            {
                await Task.Delay(_options.RetryBackoff, cancellationToken).ConfigureAwait(false);
                continue;
            }
            throw new KafkaErrorException(error, $"OffsetFetch for group {_groupId}", (string?)null);
        }
    }

    /// <summary>Leaves the group (not for static members, whose session outlives restarts).</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        string memberId = MemberId;
        if (memberId.Length == 0 || _options.GroupInstanceId is not null) return;
        var request = new LeaveGroupRequest { GroupId = _groupId, MemberId = memberId };
        request.Members.Add(new LeaveGroupRequest.MemberIdentity { MemberId = memberId, Reason = "the consumer is closing" });
        try
        {
            await _coordinator.SendAsync<LeaveGroupRequest, LeaveGroupResponse>(request, r => (ErrorCode)r.ErrorCode, default, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is KafkaException or OperationCanceledException or ObjectDisposedException)
        {
            Log.LeaveFailed(_logger, error, _groupId);
        }
        lock (_lock)
        {
            _memberId = "";
            _generation = -1;
        }
    }

    public void Dispose() => _coordinator.Dispose();
}
