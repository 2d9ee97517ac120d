using KafkaNative.Client;
using KafkaNative.Consumer;
using KafkaNative.Consumer.Fetching;
using KafkaNative.Consumer.Groups;
using KafkaNative.Protocol;

namespace KafkaNative;

/// <summary>What the group member asks of the consumer: start and stop partitions, run the callbacks, hand errors to the application.</summary>
public sealed partial class KafkaConsumer<TKey, TValue>
{
    /// <summary>For tests: stops like a crashed process would, without committing or leaving the group.</summary>
    internal ValueTask AbandonAsync()
    {
        _abandon = true;
        return DisposeAsync();
    }

    async Task IGroupListener.OnAssignedAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            foreach (TopicPartition partition in partitions)
            {
                if (!_partitions.ContainsKey(partition)) StartPartitionLocked(partition, OffsetResolver.Committed);
            }
            PublishLocked();
        }
        await InvokeAsync(PartitionsAssigned, partitions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Revoked partitions stop handing out messages but stay assigned while the callback runs, so their
    /// positions are current and commits include them; then auto commit commits them, then they stop.
    /// A message of theirs the application still holds is waited for first (up to MaxPollInterval).
    /// </summary>
    async Task IGroupListener.OnRevokedAsync(IReadOnlyList<TopicPartition> partitions, bool lost, CancellationToken cancellationToken)
    {
        List<PartitionConsumer<TKey, TValue>> revoking = BeginRevoke(partitions);
        if (!lost) await WaitForMessagesInHandAsync(revoking, cancellationToken).ConfigureAwait(false);
        await InvokeAsync(lost ? PartitionsLost : PartitionsRevoked, partitions, cancellationToken).ConfigureAwait(false);
        if (!lost) await AutoCommitAsync(revoking, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            foreach (PartitionConsumer<TKey, TValue> consumer in revoking)
            {
                if (_partitions.TryGetValue(consumer.TopicPartition, out PartitionConsumer<TKey, TValue>? current) && current == consumer)
                {
                    _partitions.Remove(consumer.TopicPartition);
                    _committed.Remove(consumer.TopicPartition);
                }
            }
            PublishLocked();
        }
        foreach (PartitionConsumer<TKey, TValue> consumer in revoking) await consumer.StopAsync().ConfigureAwait(false);
    }

    void IGroupListener.OnFatalError(Exception error)
    {
        Volatile.Write(ref _fatal, error);
        _assignmentChanged.Writer.TryWrite(true);
        _context.SignalDataReady();
    }

    void IGroupListener.OnPollTimeout(Exception error) => ReportError(error);

    void IGroupListener.OnError(Exception error) => ReportError(error);

    int IGroupListener.LeaderEpochAt(TopicPartitionOffset offset)
    {
        lock (_lock) return _partitions.TryGetValue(offset.TopicPartition, out PartitionConsumer<TKey, TValue>? partition) ? partition.LeaderEpochAt(offset.Offset) : -1;
    }

    private List<PartitionConsumer<TKey, TValue>> BeginRevoke(IEnumerable<TopicPartition> partitions)
    {
        List<PartitionConsumer<TKey, TValue>> revoking = [];
        lock (_lock)
        {
            foreach (TopicPartition partition in partitions)
            {
                if (!_partitions.TryGetValue(partition, out PartitionConsumer<TKey, TValue>? consumer)) continue;
                consumer.BeginRevoke();
                revoking.Add(consumer);
            }
            PublishLocked();
        }
        return revoking;
    }

    private Task WaitForMessagesInHandAsync(List<PartitionConsumer<TKey, TValue>> partitions, CancellationToken cancellationToken) =>
        Task.WhenAll(partitions.Select(p => p.InHand.WaitReleasedAsync(_options.MaxPollInterval, _options.TimeProvider, cancellationToken)));

    /// <summary>With auto commit, commits the consumed offsets of these partitions that changed since the last commit.</summary>
    private async Task AutoCommitAsync(IReadOnlyList<PartitionConsumer<TKey, TValue>> partitions, CancellationToken cancellationToken)
    {
        if (!_options.EnableAutoCommit || _group is null) return;
        List<TopicPartitionOffset> offsets;
        lock (_lock)
        {
            offsets = partitions.Select(p => new TopicPartitionOffset(p.TopicPartition, p.Position))
                .Where(o => o.Offset >= 0 && (!_committed.TryGetValue(o.TopicPartition, out long c) || c != o.Offset)).ToList();
        }
        try
        {
            await CommitAsync(offsets, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is KafkaException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            ConsumerLog.CommitFailed(_logger, error, _options.GroupId ?? "");
        }
    }

    private async Task InvokeAsync(PartitionsHandler? handler, IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        if (handler is null || partitions.Count == 0) return;
        try
        {
            await handler(partitions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            ConsumerLog.CallbackFailed(_logger, error, _options.GroupId ?? "");
        }
    }
}
