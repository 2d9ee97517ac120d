using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Consumer.Groups;

/// <summary>
/// A group's offsets at its coordinator, for either membership protocol: OffsetCommit with the member's
/// generation or epoch, and OffsetFetch (stable offsets under read_committed, KIP-447).
/// </summary>
/// <param name="coordinator">The group's coordinator.</param>
/// <param name="groupId">The group.</param>
/// <param name="options">The consumer's settings (isolation level, clock, static member id).</param>
/// <param name="backoff">Spaces retries.</param>
/// <param name="onMembershipError">Told of a commit refused because the membership moved on, so the member can rejoin or reconcile.</param>
/// <param name="leaderEpochAt">The leader epoch to commit with an offset (KIP-320: the next owner validates the offset with it), or -1.</param>
internal sealed class GroupOffsets(CoordinatorBroker coordinator, string groupId, ConsumerOptions options, RetryBackoff backoff, Action<ErrorCode> onMembershipError,
    Func<TopicPartitionOffset, int> leaderEpochAt)
{
    /// <summary>
    /// Commits offsets as member <paramref name="memberId"/> of <paramref name="generationOrEpoch"/> (a classic
    /// generation, or a KIP-848 member epoch at OffsetCommit v9+), or as a standalone consumer (-1 and empty).
    /// </summary>
    /// <exception cref="KafkaErrorException">The commit failed (for example REBALANCE_IN_PROGRESS: the partitions moved).</exception>
    public async Task CommitAsync(IReadOnlyCollection<TopicPartitionOffset> offsets, int generationOrEpoch, string memberId, short maxVersion, CancellationToken cancellationToken)
    {
        if (offsets.Count == 0) return;
        var request = new OffsetCommitRequest
        {
            GroupId = groupId,
            GenerationIdOrMemberEpoch = generationOrEpoch,
            MemberId = memberId,
            GroupInstanceId = options.GroupInstanceId,
        };
        foreach (IGrouping<string, TopicPartitionOffset> topic in offsets.GroupBy(o => o.Topic, StringComparer.Ordinal))
        {
            var t = new OffsetCommitRequest.OffsetCommitRequestTopic { Name = topic.Key };
            foreach (TopicPartitionOffset offset in topic)
            {
                t.Partitions.Add(new OffsetCommitRequest.OffsetCommitRequestPartition
                {
                    PartitionIndex = offset.Partition,
                    CommittedOffset = offset.Offset,
                    CommittedLeaderEpoch = leaderEpochAt(offset),
                    CommittedMetadata = "",
                });
            }
            request.Topics.Add(t);
        }
        for (int attempt = 0; ; attempt++)
        {
            OffsetCommitResponse response;
            try
            {
                response = await coordinator.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(request, FirstError, new SendOptions(MaxVersion: maxVersion), cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaErrorException lost) when (lost is KafkaConnectionException or KafkaTimeoutException && attempt < 3)
            {
                // The coordinator is forgotten with its connection (or is still in reconnect backoff after a restart):
                // the retry finds it again, as after a coordinator error.
                await Task.Delay(backoff.Delay(attempt), options.TimeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }
            ErrorCode error = FirstError(response);
            if (error == ErrorCode.None) return;
            if ((CoordinatorBroker.IsCoordinatorError(error) || error == ErrorCode.RequestTimedOut) && attempt < 3)
            {
                await Task.Delay(backoff.Delay(attempt), options.TimeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }
            onMembershipError(error);
            throw new KafkaErrorException(error, $"OffsetCommit for group {groupId}", (string?)null);
        }

        static ErrorCode FirstError(OffsetCommitResponse r) =>
            r.Topics.SelectMany(t => t.Partitions).Select(p => (ErrorCode)p.ErrorCode).FirstOrDefault(e => e != ErrorCode.None);
    }

    /// <summary>The group's committed offsets (-1 where there is none), with their leader epochs (-1 when unknown).</summary>
    public async Task<IReadOnlyList<CommittedOffset>> FetchCommittedAsync(IReadOnlyCollection<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        var request = new OffsetFetchRequest { GroupId = groupId, Topics = [] };
        foreach (IGrouping<string, TopicPartition> topic in partitions.GroupBy(p => p.Topic, StringComparer.Ordinal))
            request.Topics.Add(new OffsetFetchRequest.OffsetFetchRequestTopic { Name = topic.Key, PartitionIndexes = topic.Select(p => p.Partition).ToList() });
        for (int attempt = 0; ; attempt++)
        {
            // read_committed asks for stable offsets (KIP-447): not one a transaction is still committing, which would change under us.
            OffsetFetchResponse response = await coordinator.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(version =>
            {
                request.RequireStable = version >= 7 && options.IsolationLevel == IsolationLevel.ReadCommitted;
                return request;
            }, r => (ErrorCode)r.ErrorCode, cancellationToken, maxVersion: 7).ConfigureAwait(false);
            var error = (ErrorCode)response.ErrorCode;
            if (error == ErrorCode.None)
            {
                error = response.Topics.SelectMany(t => t.Partitions).Select(p => (ErrorCode)p.ErrorCode).FirstOrDefault(e => e != ErrorCode.None);
            }
            if (error == ErrorCode.None)
            {
                var result = new List<CommittedOffset>();
                foreach (TopicPartition partition in partitions)
                {
                    OffsetFetchResponse.OffsetFetchResponsePartition? found = response.Topics.Where(t => t.Name == partition.Topic).SelectMany(t => t.Partitions)
                        .FirstOrDefault(p => p.PartitionIndex == partition.Partition);
                    long offset = found?.CommittedOffset ?? Sentinels.NoOffset;
                    result.Add(new CommittedOffset(new TopicPartitionOffset(partition, offset), offset >= 0 ? found!.CommittedLeaderEpoch : -1));
                }
                return result;
            }
            // An unstable offset settles when its transaction ends, which the transaction timeout bounds.
            if ((CoordinatorBroker.IsCoordinatorError(error) || error.IsRetriable()) && (attempt < 10 || error == ErrorCode.UnstableOffsetCommit))
            {
                await Task.Delay(backoff.Delay(attempt), options.TimeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }
            throw new KafkaErrorException(error, $"OffsetFetch for group {groupId}", (string?)null);
        }
    }
}

/// <summary>A committed offset and the leader epoch committed with it (-1 when unknown).</summary>
internal readonly record struct CommittedOffset(TopicPartitionOffset Offset, int LeaderEpoch);
