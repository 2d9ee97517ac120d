using KafkaNative.Client;
using KafkaNative.Consumer;
using KafkaNative.Consumer.Groups;
using KafkaNative.Protocol;

namespace KafkaNative;

/// <summary>Offsets: committed offsets, commits, stored positions and the auto-commit loop.</summary>
public sealed partial class KafkaConsumer<TKey, TValue>
{
    /// <summary>The group's committed offsets for these partitions (-1 where nothing is committed).</summary>
    /// <exception cref="InvalidOperationException">No GroupId.</exception>
    public Task<IReadOnlyList<TopicPartitionOffset>> CommittedAsync(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        if (_group is null) throw new InvalidOperationException("Committed offsets need ConsumerOptions.GroupId.");
        return CommittedOffsetsAsync(_group, [.. partitions], cancellationToken);
    }

    /// <summary>
    /// Commits the consumed offsets of every assigned partition (those changed since the last commit),
    /// partitions being revoked included (so a <see cref="PartitionsRevoked"/> handler can commit them).
    /// </summary>
    /// <returns>The offsets committed.</returns>
    /// <exception cref="InvalidOperationException">No GroupId.</exception>
    /// <exception cref="KafkaErrorException">The commit failed (REBALANCE_IN_PROGRESS and the like: the partitions are moving).</exception>
    public async Task<IReadOnlyList<TopicPartitionOffset>> CommitAsync(CancellationToken cancellationToken = default)
    {
        if (_group is null) throw new InvalidOperationException("Commits need ConsumerOptions.GroupId.");
        List<TopicPartitionOffset> offsets;
        lock (_lock)
        {
            offsets = _partitions.Values
                .Select(p => new TopicPartitionOffset(p.TopicPartition, p.Position))
                .Where(o => o.Offset >= 0 && (!_committed.TryGetValue(o.TopicPartition, out long c) || c != o.Offset))
                .ToList();
        }
        await CommitAsync(offsets, cancellationToken).ConfigureAwait(false);
        return offsets;
    }

    /// <summary>Commits the offset after <paramref name="result"/> for its partition (Confluent's Commit(ConsumeResult)): everything up to and including it is processed.</summary>
    /// <exception cref="InvalidOperationException">No GroupId.</exception>
    /// <exception cref="KafkaErrorException">The commit failed.</exception>
    public Task CommitAsync(ConsumeResult<TKey, TValue> result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        return CommitAsync([new TopicPartitionOffset(result.TopicPartition, result.Offset + 1)], cancellationToken);
    }

    /// <summary>
    /// Stores the offset after <paramref name="result"/> as its partition's consumed position, which the
    /// next commit (automatic or explicit) commits. Meant for <see cref="ConsumerOptions.EnableAutoOffsetStore"/>
    /// off: store each record once it is processed (Confluent's StoreOffset).
    /// </summary>
    /// <exception cref="InvalidOperationException">The partition is not assigned to this consumer (any more).</exception>
    public void StoreOffset(ConsumeResult<TKey, TValue> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        GetPartition(result.TopicPartition).StoreOffset(result.Offset + 1, result.LeaderEpoch);
    }

    /// <summary>Stores <paramref name="offset"/> (the next offset to read: last processed + 1) as its partition's consumed position.</summary>
    /// <exception cref="ArgumentException">The offset is negative.</exception>
    /// <exception cref="InvalidOperationException">The partition is not assigned to this consumer (any more).</exception>
    public void StoreOffset(TopicPartitionOffset offset)
    {
        if (offset.Offset < 0) throw new ArgumentException($"Cannot store offset {offset.Offset}; stored offsets are the next offset to read.", nameof(offset));
        GetPartition(offset.TopicPartition).StoreOffset(offset.Offset);
    }

    /// <summary>Commits explicit offsets (each the offset of the next message to read, i.e. last processed + 1).</summary>
    /// <exception cref="InvalidOperationException">No GroupId.</exception>
    /// <exception cref="KafkaErrorException">The commit failed.</exception>
    public async Task CommitAsync(IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        if (_group is null) throw new InvalidOperationException("Commits need ConsumerOptions.GroupId.");
        List<TopicPartitionOffset> list = [.. offsets];
        if (list.Any(o => o.Offset < 0)) throw new ArgumentException("Committed offsets must not be negative.", nameof(offsets));
        if (list.Count == 0) return;
        await _commitLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _group.CommitAsync(list, cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                foreach (TopicPartitionOffset o in list) _committed[o.TopicPartition] = o.Offset;
            }
        }
        finally
        {
            _commitLock.Release();
        }
    }

    private static async Task<IReadOnlyList<TopicPartitionOffset>> CommittedOffsetsAsync(IGroupMember group, List<TopicPartition> partitions, CancellationToken cancellationToken) =>
        (await group.FetchCommittedAsync(partitions, cancellationToken).ConfigureAwait(false)).Select(c => c.Offset).ToList();

    private void StartAutoCommit()
    {
        if (_group is null || !_options.EnableAutoCommit || _autoCommitLoop is not null) return;
        _autoCommitLoop = new AutoCommitLoop(_options.AutoCommitInterval, _options.TimeProvider, AutoCommitAsync,
            error => ReportError(new KafkaConsumeException(ErrorCode.UnknownServerError, null, $"Automatic commits stopped: {error.Message}", error)),
            _logger, _options.GroupId ?? "");
        _autoCommitLoop.Start(_disposed.Token);
    }

    private async Task AutoCommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is KafkaException or TimeoutException or ObjectDisposedException)
        {
            ConsumerLog.CommitFailed(_logger, error, _options.GroupId ?? "");
        }
    }
}
