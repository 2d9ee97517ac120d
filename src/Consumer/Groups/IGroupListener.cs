namespace KafkaNative.Consumer.Groups;

/// <summary>What the group member tells the consumer: partitions to start, to stop, and a fatal error.</summary>
internal interface IGroupListener
{
    /// <summary>Starts consuming newly assigned partitions (at their committed offsets).</summary>
    Task OnAssignedAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken);

    /// <summary>Stops partitions: revoked (commit first when configured) or lost (no commit: another member may own them).</summary>
    Task OnRevokedAsync(IReadOnlyList<TopicPartition> partitions, bool lost, CancellationToken cancellationToken);

    /// <summary>The member cannot continue (fenced, not authorized, inconsistent protocols).</summary>
    void OnFatalError(Exception error);
}
