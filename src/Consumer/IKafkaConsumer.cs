using System.Text.RegularExpressions;

namespace KafkaNative;

/// <summary>
/// What <see cref="KafkaConsumer{TKey, TValue}"/> offers an application, as an interface to mock in tests
/// or to decorate. See the class for the behaviour of each member.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public interface IKafkaConsumer<TKey, TValue> : IAsyncDisposable
{
    /// <summary>Called after the group assigned partitions, before their messages are read.</summary>
    PartitionsHandler? PartitionsAssigned { get; set; }

    /// <summary>Called when the group takes partitions away, while they can still commit.</summary>
    PartitionsHandler? PartitionsRevoked { get; set; }

    /// <summary>Called when partitions were lost: nothing is committed for them.</summary>
    PartitionsHandler? PartitionsLost { get; set; }

    /// <summary>The partitions currently consumed.</summary>
    IReadOnlyList<TopicPartition> Assignment { get; }

    /// <summary>The subscribed topics.</summary>
    IReadOnlyList<string> Subscription { get; }

    /// <summary>This member's id in the group, empty when not a member.</summary>
    string MemberId { get; }

    /// <summary>The group, generation and member this consumer holds, for a transactional producer's offsets; null without a group.</summary>
    ConsumerGroupMetadata? GroupMetadata { get; }

    /// <summary>Joins the group for these topics.</summary>
    /// <param name="topics">The topics.</param>
    void Subscribe(IEnumerable<string> topics);

    /// <summary>Joins the group for every topic matching <paramref name="pattern"/>.</summary>
    /// <param name="pattern">The pattern.</param>
    void Subscribe(Regex pattern);

    /// <summary>Leaves the group after revoking (and committing) the assigned partitions.</summary>
    /// <param name="cancellationToken">Cuts the callbacks, commit and LeaveGroup short.</param>
    Task UnsubscribeAsync(CancellationToken cancellationToken = default);

    /// <summary>Consumes exactly these partitions from the given offsets, without group management.</summary>
    /// <param name="partitions">The partitions and start offsets.</param>
    void Assign(IEnumerable<TopicPartitionOffset> partitions);

    /// <summary>Consumes these partitions from their committed offsets or the reset policy.</summary>
    /// <param name="partitions">The partitions.</param>
    void Assign(IEnumerable<TopicPartition> partitions);

    /// <summary>Continues a partition at an offset (or Beginning / End).</summary>
    /// <param name="offset">The partition and offset.</param>
    void Seek(TopicPartitionOffset offset);

    /// <summary>Stops fetching these partitions.</summary>
    /// <param name="partitions">The partitions.</param>
    void Pause(IEnumerable<TopicPartition> partitions);

    /// <summary>Resumes paused partitions.</summary>
    /// <param name="partitions">The partitions.</param>
    void Resume(IEnumerable<TopicPartition> partitions);

    /// <summary>The offset of the next message the application gets from the partition (past transaction markers and skipped aborted transactions that follow the last one consumed).</summary>
    /// <param name="partition">An assigned partition.</param>
    long Position(TopicPartition partition);

    /// <summary>The low and high watermarks last seen in a fetch of the partition.</summary>
    /// <param name="partition">An assigned partition.</param>
    (long Low, long High) GetWatermarkOffsets(TopicPartition partition);

    /// <summary>Messages between the position and the high watermark of the last fetch (the last stable offset under read_committed), or null when unknown.</summary>
    /// <param name="partition">An assigned partition.</param>
    long? GetLag(TopicPartition partition);

    /// <summary>Asks the partition's leader for its low and high watermarks.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<(long Low, long High)> QueryWatermarkOffsetsAsync(TopicPartition partition, CancellationToken cancellationToken = default);

    /// <summary>For each partition, the first offset at or after a time, or End.</summary>
    /// <param name="partitions">The partitions.</param>
    /// <param name="timestamp">The time to look up.</param>
    /// <param name="cancellationToken">Cancels the lookups.</param>
    Task<IReadOnlyList<TopicPartitionOffset>> OffsetsForTimesAsync(IEnumerable<TopicPartition> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken = default);

    /// <summary>Reads messages from every assigned partition as they arrive.</summary>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    IAsyncEnumerable<ConsumeResult<TKey, TValue>> ConsumeAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads messages a partition's run at a time.</summary>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    IAsyncEnumerable<ConsumeBatch<TKey, TValue>> ConsumeBatchesAsync(CancellationToken cancellationToken = default);

    /// <summary>Runs a handler for every message, partitions in parallel, each in order.</summary>
    /// <param name="handler">Handles one message.</param>
    /// <param name="cancellationToken">Stops consuming.</param>
    Task ConsumeAsync(Func<ConsumeResult<TKey, TValue>, CancellationToken, ValueTask> handler, CancellationToken cancellationToken = default);

    /// <summary>The group's committed offsets for these partitions.</summary>
    /// <param name="partitions">The partitions.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    Task<IReadOnlyList<TopicPartitionOffset>> CommittedAsync(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default);

    /// <summary>Commits the consumed offsets of every assigned partition.</summary>
    /// <param name="cancellationToken">Cancels the commit.</param>
    Task<IReadOnlyList<TopicPartitionOffset>> CommitAsync(CancellationToken cancellationToken = default);

    /// <summary>Commits the offset after <paramref name="result"/> for its partition.</summary>
    /// <param name="result">The last processed message.</param>
    /// <param name="cancellationToken">Cancels the commit.</param>
    Task CommitAsync(ConsumeResult<TKey, TValue> result, CancellationToken cancellationToken = default);

    /// <summary>Commits explicit offsets (each last processed + 1).</summary>
    /// <param name="offsets">The offsets.</param>
    /// <param name="cancellationToken">Cancels the commit.</param>
    Task CommitAsync(IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken = default);

    /// <summary>Stores the offset after <paramref name="result"/> for the next commit.</summary>
    /// <param name="result">The last processed message.</param>
    void StoreOffset(ConsumeResult<TKey, TValue> result);

    /// <summary>Stores an offset (last processed + 1) for the next commit.</summary>
    /// <param name="offset">The partition and offset.</param>
    void StoreOffset(TopicPartitionOffset offset);
}
