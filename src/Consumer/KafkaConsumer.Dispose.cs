using KafkaNative.Consumer;
using KafkaNative.Consumer.Fetching;
using KafkaNative.Consumer.Groups;

namespace KafkaNative;

/// <summary>Closing: callbacks and commits while the partitions are still assigned, then LeaveGroup, then the connections.</summary>
public sealed partial class KafkaConsumer<TKey, TValue>
{
    /// <summary>
    /// Stops the group's loops, runs <see cref="PartitionsRevoked"/> for the assigned partitions (they can
    /// still commit), commits consumed offsets (with auto commit), stops fetching, leaves the group
    /// (dynamic members; static members keep their place until the session times out) and closes the
    /// connections, which it always does, whatever failed before.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeState, 1) != 0) return;
        ConsumerTelemetry.Unregister(this);
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _options.TimeProvider);
        bool member = _subscribed && _group is not null && !_abandon;
        try
        {
            await _disposed.CancelAsync().ConfigureAwait(false);
            // Both report their own failures; a group member never started counts as stopped.
            if (_group is not null) await _group.StopAsync().ConfigureAwait(false);
            if (_autoCommitLoop is not null) await _autoCommitLoop.StopAsync().ConfigureAwait(false);
            await RevokeAndStopAllAsync(member, timeout.Token).ConfigureAwait(false);
            if (member) await _group!.LeaveAsync("the consumer is closing", timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            _group?.Dispose();
            await _context.Registry.DisposeAsync().ConfigureAwait(false);
            await _cluster.DisposeAsync().ConfigureAwait(false);
            _context.SignalDataReady();
            _commitLock.Dispose();
            _disposed.Dispose();
        }
    }

    /// <summary>
    /// Leaves the group: runs <see cref="PartitionsRevoked"/> for the assigned partitions (they can still
    /// commit), commits their consumed offsets (with auto commit), stops fetching and sends LeaveGroup
    /// (dynamic members). The consumer can then subscribe again or assign partitions. Nothing happens
    /// when it is not subscribed.
    /// </summary>
    /// <param name="cancellationToken">Cuts the callbacks, commit and LeaveGroup short; the member has left either way.</param>
    public async Task UnsubscribeAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposeState != 0, this);
        IGroupMember group;
        lock (_lock)
        {
            if (!_subscribed || _group is null) return;
            _subscribed = false;
            _subscription = [];
            _unsubscribing = true;
            group = _group;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            await group.StopAsync().ConfigureAwait(false);
            await RevokeAndStopAllAsync(member: true, timeout.Token).ConfigureAwait(false);
            await group.LeaveAsync("the consumer unsubscribed", timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            group.Dispose();
            // A fresh member for the next Subscribe: a group member's loop runs once.
            lock (_lock)
            {
                _group = GroupMembers.Create(_cluster, _options, this, _poll);
                _unsubscribing = false;
            }
        }
    }

    /// <summary>Revokes every assigned partition: the callback while they can still commit, auto commit, then they stop fetching.</summary>
    private async Task RevokeAndStopAllAsync(bool member, CancellationToken cancellationToken)
    {
        List<PartitionConsumer<TKey, TValue>> all;
        lock (_lock) all = [.. _partitions.Values];
        if (member)
        {
            BeginRevoke(all.Select(p => p.TopicPartition));
            await InvokeAsync(PartitionsRevoked, all.Select(p => p.TopicPartition).ToList(), cancellationToken).ConfigureAwait(false);
        }
        if (!_abandon) await AutoCommitAsync(all, cancellationToken).ConfigureAwait(false);
        List<Task> stopping;
        lock (_lock)
        {
            foreach (PartitionConsumer<TKey, TValue> partition in all) _partitions.Remove(partition.TopicPartition);
            _committed.Clear();
            stopping = [.. _stopping];
            _stopping.Clear();
            PublishLocked();
        }
        foreach (PartitionConsumer<TKey, TValue> partition in all) await partition.StopAsync().ConfigureAwait(false);
        await Task.WhenAll(stopping).ConfigureAwait(false);
    }
}
