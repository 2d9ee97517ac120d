namespace KafkaNative.Sim.Log;

/// <summary>An aborted transaction on one partition: its producer, its first offset and its ABORT marker's offset.</summary>
internal readonly record struct AbortedTransaction(long ProducerId, long FirstOffset, long MarkerOffset);

/// <summary>
/// The transactions of one partition, from its batches: which producers have a transaction open here
/// (and from which offset, for the last stable offset) and which transactions aborted (for read_committed
/// fetches). Leaders and followers build it from every appended batch, so it moves with leadership.
/// </summary>
internal sealed class TransactionIndex
{
    private readonly Dictionary<long, long> _open = new();
    private readonly List<AbortedTransaction> _aborted = new();
    // Ended transactions whose marker the high watermark has not passed yet: (first offset, marker offset).
    private readonly List<(long FirstOffset, long MarkerOffset)> _unreplicated = new();

    /// <summary>
    /// The first offset of the earliest transaction still unstable, or long.MaxValue when none is: open, or ended
    /// by a marker the in-sync replicas do not all have yet (Kafka completes a transaction for the last stable
    /// offset only once the high watermark passes its marker, so a read_committed reader never sees a commit
    /// that a leader change could lose).
    /// </summary>
    public long FirstUnstableOffset(long highWatermark)
    {
        _unreplicated.RemoveAll(t => t.MarkerOffset < highWatermark);
        long first = long.MaxValue;
        foreach (long offset in _open.Values) first = Math.Min(first, offset);
        foreach ((long offset, _) in _unreplicated) first = Math.Min(first, offset);
        return first;
    }

    /// <summary>A transactional data batch: opens the producer's transaction here unless it is open already.</summary>
    public void OnData(long producerId, long baseOffset) => _open.TryAdd(producerId, baseOffset);

    /// <summary>A marker: closes the producer's transaction; an abort is remembered for fetches.</summary>
    public void OnMarker(long producerId, bool commit, long markerOffset)
    {
        if (!_open.Remove(producerId, out long first)) return;
        _unreplicated.Add((first, markerOffset));
        if (!commit) _aborted.Add(new AbortedTransaction(producerId, first, markerOffset));
    }

    /// <summary>Aborted transactions with records in [<paramref name="from"/>, <paramref name="to"/>), as a fetch of that range reports them.</summary>
    public IEnumerable<AbortedTransaction> AbortedIn(long from, long to) =>
        _aborted.Where(a => a.MarkerOffset >= from && a.FirstOffset < to);

    public void Clear()
    {
        _open.Clear();
        _aborted.Clear();
        _unreplicated.Clear();
    }
}
