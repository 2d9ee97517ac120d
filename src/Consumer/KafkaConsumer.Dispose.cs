using KafkaNative.Consumer;
using KafkaNative.Consumer.Fetching;

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
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _options.TimeProvider);
        bool member = _subscribed && _group is not null && !_abandon;
        try
        {
            await _disposed.CancelAsync().ConfigureAwait(false);
            // Both report their own failures; a group member never started counts as stopped.
            if (_group is not null) await _group.StopAsync().ConfigureAwait(false);
            if (_autoCommitLoop is not null) await _autoCommitLoop.StopAsync().ConfigureAwait(false);
            List<PartitionConsumer<TKey, TValue>> all;
            lock (_lock) all = [.. _partitions.Values];
            if (member)
            {
                BeginRevoke(all.Select(p => p.TopicPartition));
                await InvokeAsync(PartitionsRevoked, all.Select(p => p.TopicPartition).ToList(), timeout.Token).ConfigureAwait(false);
            }
            if (!_abandon) await AutoCommitAsync(all, timeout.Token).ConfigureAwait(false);
            List<Task> stopping;
            lock (_lock)
            {
                _partitions.Clear();
                stopping = [.. _stopping];
                Volatile.Write(ref _active, []);
            }
            foreach (PartitionConsumer<TKey, TValue> partition in all) await partition.StopAsync().ConfigureAwait(false);
            await Task.WhenAll(stopping).ConfigureAwait(false);
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
}
