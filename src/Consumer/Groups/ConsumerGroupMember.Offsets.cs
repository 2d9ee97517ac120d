using KafkaNative.Protocol;

namespace KafkaNative.Consumer.Groups;

/// <summary>The group's offsets (<see cref="GroupOffsets"/>) with this member's generation.</summary>
internal sealed partial class ConsumerGroupMember
{
    /// <summary>Commits offsets (generation and member id when joined, else as a standalone consumer).</summary>
    /// <exception cref="KafkaErrorException">The commit failed (for example REBALANCE_IN_PROGRESS: the partitions moved).</exception>
    public Task CommitAsync(IReadOnlyCollection<TopicPartitionOffset> offsets, CancellationToken cancellationToken) =>
        _offsets.CommitAsync(offsets, Generation, MemberId, maxVersion: 8, cancellationToken);

    /// <summary>The group's committed offsets (-1 where there is none).</summary>
    public Task<IReadOnlyList<CommittedOffset>> FetchCommittedAsync(IReadOnlyCollection<TopicPartition> partitions, CancellationToken cancellationToken) =>
        _offsets.FetchCommittedAsync(partitions, cancellationToken);

    private void OnCommitRefused(ErrorCode error)
    {
        if (error is ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration or ErrorCode.RebalanceInProgress) _rejoin.Writer.TryWrite(true);
    }
}
