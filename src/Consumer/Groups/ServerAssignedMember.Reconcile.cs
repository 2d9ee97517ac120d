using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Consumer.Groups;

/// <summary>Reconciling the coordinator's assignment, losing it, and leaving.</summary>
internal sealed partial class ServerAssignedMember
{
    /// <summary>
    /// Moves from the partitions owned to the ones assigned: revoked first (their callbacks and commit run while
    /// this member still owns them), then assigned. True when something changed, so the next heartbeat goes at once
    /// to acknowledge it: the coordinator hands a revoked partition to another member only after that.
    /// </summary>
    private async Task<bool> ReconcileAsync(ConsumerGroupHeartbeatResponse.AssignmentData assignment, CancellationToken stop)
    {
        HashSet<TopicPartition> target = await ByNameAsync(assignment.TopicPartitions, stop).ConfigureAwait(false);
        List<TopicPartition> revoked, added;
        lock (_lock)
        {
            revoked = [.. _owned.Where(p => !target.Contains(p))];
            added = [.. target.Where(p => !_owned.Contains(p))];
        }
        if (revoked.Count > 0)
        {
            await _poll.InCallbackAsync(() => _listener.OnRevokedAsync(revoked, lost: false, stop)).ConfigureAwait(false);
            lock (_lock) _owned.ExceptWith(revoked);
        }
        if (added.Count > 0)
        {
            await _poll.InCallbackAsync(() => _listener.OnAssignedAsync(added, stop)).ConfigureAwait(false);
            lock (_lock) _owned.UnionWith(added);
        }
        if (revoked.Count + added.Count > 0)
            ConsumerLog.Joined(_logger, _groupId, Metadata.GenerationId, MemberId, false, _options.GroupRemoteAssignor ?? "server default", string.Join(", ", target.Order()));
        return revoked.Count + added.Count > 0;
    }

    /// <summary>The assignment comes by topic id: looked up among the subscribed topics (their metadata is kept fresh by asking for them).</summary>
    private async Task<HashSet<TopicPartition>> ByNameAsync(List<ConsumerGroupHeartbeatResponse.TopicPartitions> assigned, CancellationToken stop)
    {
        var names = new Dictionary<Guid, string>();
        foreach (string topic in _subscribed) names[(await _cluster.GetTopicAsync(topic, stop).ConfigureAwait(false)).TopicId] = topic;
        var partitions = new HashSet<TopicPartition>();
        foreach (ConsumerGroupHeartbeatResponse.TopicPartitions topic in assigned)
        {
            // Unknown yet: left out for now; the coordinator sends the assignment again until it is acknowledged.
            if (!names.TryGetValue(topic.TopicId, out string? name)) continue;
            foreach (int partition in topic.Partitions) partitions.Add(new TopicPartition(name, partition));
        }
        return partitions;
    }

    private async Task<List<ConsumerGroupHeartbeatRequest.TopicPartitionsData>> OwnedByTopicIdAsync(CancellationToken stop)
    {
        List<TopicPartition> owned;
        lock (_lock) owned = [.. _owned];
        var result = new List<ConsumerGroupHeartbeatRequest.TopicPartitionsData>();
        foreach (IGrouping<string, TopicPartition> topic in owned.GroupBy(p => p.Topic, StringComparer.Ordinal))
        {
            Guid id = (await _cluster.GetTopicAsync(topic.Key, stop).ConfigureAwait(false)).TopicId;
            result.Add(new ConsumerGroupHeartbeatRequest.TopicPartitionsData { TopicId = id, Partitions = [.. topic.Select(p => p.Partition).Order()] });
        }
        return result;
    }

    /// <summary>Fenced or forgotten: the partitions are lost (another member may own them), and the member joins again at epoch 0.</summary>
    private async Task LoseAllAsync(ErrorCode error, CancellationToken stop)
    {
        ConsumerLog.Rejoining(_logger, _groupId, $"{error.Name()}: partitions lost");
        List<TopicPartition> lost;
        lock (_lock)
        {
            lost = [.. _owned];
            _owned = [];
            _epoch = JoinEpoch;
            // A fenced member keeps its id; one the coordinator no longer knows gets a new one.
            if (error == ErrorCode.UnknownMemberId) _memberId = "";
        }
        if (lost.Count > 0) await _poll.InCallbackAsync(() => _listener.OnRevokedAsync(lost, lost: true, stop)).ConfigureAwait(false);
    }

    /// <summary>The application stayed away too long: leave (its partitions are lost), and join again once it polls.</summary>
    private async Task OnPollTimeoutAsync(string reason, CancellationToken stop)
    {
        ConsumerLog.PollTimeout(_logger, _groupId, reason);
        await LeaveAsync(reason, stop).ConfigureAwait(false);
        List<TopicPartition> lost;
        lock (_lock)
        {
            lost = [.. _owned];
            _owned = [];
        }
        if (lost.Count > 0) await _poll.InCallbackAsync(() => _listener.OnRevokedAsync(lost, lost: true, stop)).ConfigureAwait(false);
        _poll.ForgetPolls();
        _listener.OnPollTimeout(new MaxPollIntervalExceededException($"Group {_groupId}: left the group because {reason}; consuming again rejoins it."));
        await _poll.WaitForPollAsync(stop).ConfigureAwait(false);
        ConsumerLog.Rejoining(_logger, _groupId, "the application asks for records again");
    }

    /// <summary>
    /// Leaves with epoch -1, or -2 for a static member (the coordinator keeps its partitions for the session
    /// timeout, for its restart); best effort. The member can join again afterwards at epoch 0.
    /// </summary>
    public async Task LeaveAsync(string reason, CancellationToken cancellationToken)
    {
        string memberId = MemberId;
        if (memberId.Length == 0) return;
        var request = new ConsumerGroupHeartbeatRequest
        {
            GroupId = _groupId,
            MemberId = memberId,
            MemberEpoch = _options.GroupInstanceId is null ? LeaveEpoch : StaticLeaveEpoch,
            InstanceId = _options.GroupInstanceId,
        };
        try
        {
            ConsumerGroupHeartbeatResponse response = await _coordinator.SendAsync<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>(
                request, static r => (ErrorCode)r.ErrorCode, default, cancellationToken).ConfigureAwait(false);
            if (response.ErrorCode != 0)
                ConsumerLog.LeaveFailed(_logger, new KafkaErrorException((ErrorCode)response.ErrorCode, $"Leaving group {_groupId} ({reason})", response.ErrorMessage), _groupId);
        }
        catch (Exception error) when (error is KafkaException or OperationCanceledException or ObjectDisposedException or TimeoutException)
        {
            ConsumerLog.LeaveFailed(_logger, error, _groupId);
        }
        lock (_lock)
        {
            _memberId = "";
            _epoch = JoinEpoch;
        }
    }
}
