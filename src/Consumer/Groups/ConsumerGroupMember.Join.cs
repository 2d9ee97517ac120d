using System.Text.RegularExpressions;
using KafkaNative.Client;
using KafkaNative.Consumer.Assignors;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Consumer.Groups;

/// <summary>Joining: the subscription's topics, JoinGroup, the leader's assignment, SyncGroup, and the callbacks of the new assignment.</summary>
internal sealed partial class ConsumerGroupMember
{
    private async Task<IReadOnlyList<string>> ResolveTopicsAsync(CancellationToken cancellationToken)
    {
        Regex? pattern;
        IReadOnlyList<string> topics;
        lock (_lock)
        {
            pattern = _pattern;
            topics = _topics;
        }
        return await Subscription.ResolveAsync(_cluster, topics, pattern, cancellationToken).ConfigureAwait(false);
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
                if (CoordinatorBroker.IsCoordinatorError(error) || error.IsRetriable())
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
        ConsumerLog.Joined(_logger, _groupId, generation, memberId, leader, protocol, string.Join(",", assigned));
        // Heartbeats start before the callbacks, so a slow callback does not cost the membership.
        StartHeartbeat(memberId, generation);
        var previous = new HashSet<TopicPartition>(_owned);
        var revoked = _owned.Where(p => !assigned.Contains(p)).ToList();
        var added = assigned.Where(p => !previous.Contains(p)).ToList();
        if (revoked.Count > 0) await RevokeAsync(revoked, lost: false, cancellationToken).ConfigureAwait(false);
        lock (_lock) _owned = [.. _owned.Where(assigned.Contains), .. added];
        if (added.Count > 0) await _poll.InCallbackAsync(() => _listener.OnAssignedAsync(added, cancellationToken)).ConfigureAwait(false);
        await CheckTopicsAsync(topics, cancellationToken).ConfigureAwait(false);
        if (_cooperative && revoked.Count > 0)
        {
            // Cooperative: partitions given up go to their new owner in a follow-up rebalance.
            ConsumerLog.Rejoining(_logger, _groupId, $"revoked {revoked.Count} partitions for their new owners");
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
                ConsumerLog.CoordinatorFailed(_logger, error, _groupId);
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

    /// <summary>
    /// Notes subscribed topics the cluster does not know; one missing longer than
    /// <see cref="ConsumerOptions.TopicMetadataPropagationMax"/> is reported to the application (once per
    /// absence). Returns true when a topic missing before now exists (the member rejoins to get its partitions).
    /// </summary>
    private async Task<bool> CheckTopicsAsync(IReadOnlyList<string> topics, CancellationToken cancellationToken)
    {
        bool appeared = false;
        foreach (string topic in topics)
        {
            TopicMetadata metadata;
            try
            {
                metadata = await _cluster.GetTopicAsync(topic, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException error)
            {
                // Only a check: the membership does not depend on it, so a failed lookup waits for the next one.
                ConsumerLog.TopicLookupFailed(_logger, error, _groupId, topic);
                return false;
            }
            if (metadata.Error != ErrorCode.UnknownTopicOrPartition)
            {
                appeared |= _missingTopics.Remove(topic);
                continue;
            }
            if (!_missingTopics.TryGetValue(topic, out MissingTopic? missing)) _missingTopics[topic] = missing = new MissingTopic(_options.TimeProvider.GetTimestamp());
            if (!missing.Reported && _options.TimeProvider.GetElapsedTime(missing.Since) >= _options.TopicMetadataPropagationMax)
            {
                missing.Reported = true;
                _listener.OnError(new KafkaConsumeException(ErrorCode.UnknownTopicOrPartition, null,
                    $"Group {_groupId}: subscribed topic {topic} does not exist (for {_options.TopicMetadataPropagationMax} now); its partitions are assigned once it is created."));
            }
        }
        return appeared;
    }

    private sealed class MissingTopic(long since)
    {
        public long Since { get; } = since;

        public bool Reported { get; set; }
    }
}
