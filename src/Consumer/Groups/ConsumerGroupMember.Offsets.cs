using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Consumer.Groups;

/// <summary>The group's offsets: OffsetCommit with this member's generation, and OffsetFetch.</summary>
internal sealed partial class ConsumerGroupMember
{
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
            if ((CoordinatorBroker.IsCoordinatorError(error) || error == ErrorCode.RequestTimedOut) && attempt < 3)
            {
                await Task.Delay(_backoff.Delay(attempt), _options.TimeProvider, cancellationToken).ConfigureAwait(false);
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
            // read_committed asks for stable offsets (KIP-447): not one a transaction is still committing, which would change under us.
            OffsetFetchResponse response = await _coordinator.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(version =>
            {
                request.RequireStable = version >= 7 && _options.IsolationLevel == IsolationLevel.ReadCommitted;
                return request;
            }, r => (ErrorCode)r.ErrorCode, cancellationToken, maxVersion: 7).ConfigureAwait(false);
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
                        .Where(p => p.PartitionIndex == partition.Partition).Select(p => p.CommittedOffset).DefaultIfEmpty(Sentinels.NoOffset).First();
                    result.Add(new TopicPartitionOffset(partition, offset));
                }
                return result;
            }
            // An unstable offset settles when its transaction ends, which the transaction timeout bounds.
            if ((CoordinatorBroker.IsCoordinatorError(error) || error.IsRetriable()) && (attempt < 10 || error == ErrorCode.UnstableOffsetCommit))
            {
                await Task.Delay(_backoff.Delay(attempt), _options.TimeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }
            throw new KafkaErrorException(error, $"OffsetFetch for group {_groupId}", (string?)null);
        }
    }
}
