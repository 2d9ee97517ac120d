using Microsoft.Extensions.Logging;

namespace KafkaNative.Consumer;

/// <summary>Log events of the consumer.</summary>
internal static partial class ConsumerLog
{
    [LoggerMessage(101, LogLevel.Debug, "{Partition}: subscribed to broker {NodeId} at offset {Offset}")]
    public static partial void Subscribed(ILogger logger, TopicPartition partition, int nodeId, long offset);

    [LoggerMessage(102, LogLevel.Information, "{Partition}: fetch error {Error}; finding the leader again")]
    public static partial void PartitionFetchError(ILogger logger, TopicPartition partition, string error);

    [LoggerMessage(103, LogLevel.Warning, "Broker {NodeId}: fetch failed; its {Count} partitions look for a leader again")]
    public static partial void FetchFailed(ILogger logger, Exception exception, int nodeId, int count);

    [LoggerMessage(104, LogLevel.Warning, "{Partition}: corrupt record at offset {Offset}; skipping to {Next}")]
    public static partial void CorruptRecordSkipped(ILogger logger, Exception exception, TopicPartition partition, long offset, long next);

    [LoggerMessage(105, LogLevel.Debug, "{Partition}: the application took longer than {Timeout} to take messages; unsubscribed until it catches up")]
    public static partial void SlowPartition(ILogger logger, TopicPartition partition, TimeSpan timeout);

    [LoggerMessage(106, LogLevel.Information, "{Partition}: offset {Offset} is out of range; resetting to {Reset}")]
    public static partial void OffsetReset(ILogger logger, TopicPartition partition, long offset, string reset);

    [LoggerMessage(107, LogLevel.Warning, "{Partition}: dispatching failed; retrying")]
    public static partial void DispatchFailed(ILogger logger, Exception exception, TopicPartition partition);

    [LoggerMessage(108, LogLevel.Warning, "{Partition}: the log was truncated below the position {Position} (a new leader diverges from offset {Divergence}); the messages read from there on are gone: continuing at {Divergence}")]
    public static partial void LogTruncated(ILogger logger, TopicPartition partition, long position, long divergence);

    [LoggerMessage(109, LogLevel.Information, "{Partition}: prefetched messages from {Divergence} up to {FetchOffset} were truncated by a new leader before the application read them; fetching again from {Position}")]
    public static partial void PrefetchTruncated(ILogger logger, TopicPartition partition, long fetchOffset, long divergence, long position);

    [LoggerMessage(121, LogLevel.Debug, "{Partition}: position {Offset} validated: epoch {Epoch} ends at {EndOffset} on the leader")]
    public static partial void PositionValidated(ILogger logger, TopicPartition partition, long offset, int epoch, long endOffset);

    [LoggerMessage(120, LogLevel.Warning, "{Partition}: the new leader knows no end of the epoch of the messages read up to {Position}; the log may have been truncated: resetting to {Reset}")]
    public static partial void EpochEndUnknown(ILogger logger, TopicPartition partition, long position, string reset);

    [LoggerMessage(110, LogLevel.Information, "Group {GroupId}: joined generation {Generation} as {MemberId} (leader: {IsLeader}, protocol {Protocol}); assigned {Assigned}")]
    public static partial void Joined(ILogger logger, string groupId, int generation, string memberId, bool isLeader, string? protocol, string assigned);

    [LoggerMessage(111, LogLevel.Information, "Group {GroupId}: {Reason}; rejoining")]
    public static partial void Rejoining(ILogger logger, string groupId, string reason);

    [LoggerMessage(112, LogLevel.Warning, "Group {GroupId}: coordinator request failed; finding the coordinator again")]
    public static partial void CoordinatorFailed(ILogger logger, Exception exception, string groupId);

    [LoggerMessage(113, LogLevel.Warning, "Group {GroupId}: commit failed")]
    public static partial void CommitFailed(ILogger logger, Exception exception, string groupId);

    [LoggerMessage(114, LogLevel.Warning, "Group {GroupId}: a partition callback threw")]
    public static partial void CallbackFailed(ILogger logger, Exception exception, string groupId);

    [LoggerMessage(115, LogLevel.Warning, "Group {GroupId}: leaving the group failed")]
    public static partial void LeaveFailed(ILogger logger, Exception exception, string groupId);

    [LoggerMessage(116, LogLevel.Warning, "Group {GroupId}: leaving the group because {Reason}")]
    public static partial void PollTimeout(ILogger logger, string groupId, string reason);

    [LoggerMessage(118, LogLevel.Warning, "Group {GroupId}: looking up subscribed topic {Topic} failed")]
    public static partial void TopicLookupFailed(ILogger logger, Exception exception, string groupId, string topic);

    [LoggerMessage(117, LogLevel.Error, "The {Loop} loop of {Owner} failed unexpectedly")]
    public static partial void LoopFailed(ILogger logger, Exception exception, string loop, string owner);

    [LoggerMessage(119, LogLevel.Debug, "Broker {NodeId}: fetch session {SessionId} refused ({Error}); the next fetch is full")]
    public static partial void FetchSessionRefused(ILogger logger, int nodeId, int sessionId, string error);
}
