namespace KafkaNative.Consumer.Groups;

/// <summary>What the group member tells the consumer: partitions to start, to stop, and errors for the application.</summary>
internal interface IGroupListener
{
    /// <summary>Starts consuming newly assigned partitions (at their committed offsets).</summary>
    Task OnAssignedAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken);

    /// <summary>Stops partitions: revoked (commit first when configured) or lost (no commit: another member may own them).</summary>
    Task OnRevokedAsync(IReadOnlyList<TopicPartition> partitions, bool lost, CancellationToken cancellationToken);

    /// <summary>The member cannot continue (fenced, not authorized, inconsistent protocols).</summary>
    void OnFatalError(Exception error);

    /// <summary>The member left the group because the application stayed away too long; it rejoins when the application polls.</summary>
    void OnPollTimeout(Exception error);

    /// <summary>Something the application should hear of, once, while the member carries on (no broker reachable, a missing topic).</summary>
    void OnError(Exception error);

    /// <summary>The leader epoch to commit with <paramref name="offset"/> (that of the last message before it), or -1 when unknown.</summary>
    int LeaderEpochAt(TopicPartitionOffset offset);
}
