namespace KafkaNative.Sim.Log;

/// <summary>
/// A replica's leader-epoch history (Kafka's leader-epoch checkpoint): for each epoch that wrote to this
/// log, or that this replica led, the offset where it started. A leader assigns its epoch at the log end
/// when it takes over; a follower learns epochs from the batches it appends. Truncation drops the epochs
/// that started past the new end; moving the log start clips the first one. Not thread-safe: the owning
/// <see cref="PartitionLog"/> calls it under its lock.
/// </summary>
internal sealed class LeaderEpochCache
{
    /// <summary>No epoch (OffsetForLeaderEpoch's UNDEFINED_EPOCH).</summary>
    public const int UndefinedEpoch = -1;

    /// <summary>No offset (OffsetForLeaderEpoch's UNDEFINED_EPOCH_OFFSET).</summary>
    public const long UndefinedOffset = -1;

    private readonly List<(int Epoch, long StartOffset)> _entries = new();

    /// <summary>The latest epoch known, or -1.</summary>
    public int LatestEpoch => _entries.Count == 0 ? UndefinedEpoch : _entries[^1].Epoch;

    /// <summary>Every entry, oldest first (for tests and logs).</summary>
    public IReadOnlyList<(int Epoch, long StartOffset)> Entries => _entries;

    /// <summary>
    /// Records that <paramref name="epoch"/> starts at <paramref name="startOffset"/>, unless it is already the
    /// latest epoch or older than it. Entries of a later epoch or starting at or after that offset conflict and go.
    /// </summary>
    public void Assign(int epoch, long startOffset)
    {
        if (epoch < 0) return;
        if (_entries.Count > 0 && (_entries[^1].Epoch == epoch || _entries[^1].Epoch > epoch && _entries[^1].StartOffset <= startOffset)) return;
        while (_entries.Count > 0 && (_entries[^1].Epoch >= epoch || _entries[^1].StartOffset >= startOffset)) _entries.RemoveAt(_entries.Count - 1);
        _entries.Add((epoch, startOffset));
    }

    /// <summary>The log was truncated to end at <paramref name="endOffset"/>: epochs that started at or after it are gone.</summary>
    public void TruncateFromEnd(long endOffset)
    {
        while (_entries.Count > 0 && _entries[^1].StartOffset >= endOffset) _entries.RemoveAt(_entries.Count - 1);
    }

    /// <summary>The log now starts at <paramref name="startOffset"/>: the epoch holding it starts there, earlier ones go.</summary>
    public void TruncateFromStart(long startOffset)
    {
        int keep = _entries.FindLastIndex(e => e.StartOffset <= startOffset);
        if (keep < 0) return;
        _entries.RemoveRange(0, keep);
        _entries[0] = (_entries[0].Epoch, startOffset);
    }

    /// <summary>
    /// Kafka's answer to OffsetForLeaderEpoch for <paramref name="requestedEpoch"/>: the largest epoch at most the
    /// requested one and the offset where the next larger epoch starts (the log end for the latest epoch). An epoch
    /// older than every entry ends where the first entry starts; one newer than every entry, or none, is undefined.
    /// </summary>
    public (int Epoch, long EndOffset) EndOffsetFor(int requestedEpoch, long logEndOffset)
    {
        if (requestedEpoch < 0 || _entries.Count == 0) return (UndefinedEpoch, UndefinedOffset);
        if (_entries[^1].Epoch == requestedEpoch) return (requestedEpoch, logEndOffset);
        int higher = _entries.FindIndex(e => e.Epoch > requestedEpoch);
        if (higher < 0) return (UndefinedEpoch, UndefinedOffset);
        if (higher == 0) return (requestedEpoch, _entries[0].StartOffset);
        return (_entries[higher - 1].Epoch, _entries[higher].StartOffset);
    }
}
