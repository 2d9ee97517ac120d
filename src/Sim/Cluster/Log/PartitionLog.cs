using KafkaNative.Protocol.Compression;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Sim.Log;

/// <summary>
/// One replica's log: record batches stored byte for byte as producers sent them, with only the base
/// offset and leader epoch stamped. Batches are packed into segments so a fetch returns one slice of
/// consecutive batches without copying. Written bytes are never overwritten (truncation starts a new
/// segment), so slices handed to fetch responses and followers stay valid. The owning broker actor
/// is the only writer; the lock lets tests read while it writes.
/// </summary>
internal sealed class PartitionLog
{
    private const int FirstSegmentSize = 64 * 1024;
    private const int MaxSegmentSize = 16 * 1024 * 1024;

    private readonly object _lock = new();
    private readonly List<StoredBatch> _batches = new();
    private readonly LeaderEpochCache _epochs = new();
    private byte[] _segment = [];
    private int _segmentUsed;
    private long _logStartOffset;
    private long _logEndOffset;

    public long LogStartOffset { get { lock (_lock) return _logStartOffset; } }

    public long LogEndOffset { get { lock (_lock) return _logEndOffset; } }

    /// <summary>Leader epoch of the last stored batch, or -1 when the log is empty.</summary>
    public int LastEpoch { get { lock (_lock) return _batches.Count == 0 ? -1 : _batches[^1].LeaderEpoch; } }

    public bool IsEmpty { get { lock (_lock) return _batches.Count == 0; } }

    /// <summary>The leader-epoch history, oldest first: each epoch and the offset where it starts.</summary>
    public IReadOnlyList<(int Epoch, long StartOffset)> EpochHistory { get { lock (_lock) return _epochs.Entries.ToList(); } }

    /// <summary>A new leader's epoch starts at the log end (Kafka assigns it when the replica becomes leader).</summary>
    public void AssignEpoch(int epoch)
    {
        lock (_lock) _epochs.Assign(epoch, _logEndOffset);
    }

    /// <summary>Appends a batch received from a client, giving it the next offsets; returns where it was stored.</summary>
    public StoredBatch AppendAsLeader(ReadOnlySpan<byte> batch, in BatchHeader header, int leaderEpoch)
    {
        lock (_lock)
        {
            long baseOffset = _logEndOffset;
            Span<byte> stored = Reserve(batch.Length, out byte[] segment, out int position);
            batch.CopyTo(stored);
            BatchHeader.Stamp(stored, baseOffset, leaderEpoch);
            var entry = new StoredBatch(baseOffset, baseOffset + header.LastOffsetDelta, header.MaxTimestamp, leaderEpoch, segment, position, batch.Length);
            _epochs.Assign(leaderEpoch, baseOffset);
            _batches.Add(entry);
            _logEndOffset = entry.NextOffset;
            return entry;
        }
    }

    /// <summary>Appends a batch copied from the leader, offsets already assigned; its base offset must be the log end.</summary>
    public void AppendAsFollower(ReadOnlySpan<byte> batch, in BatchHeader header)
    {
        lock (_lock)
        {
            bool straddlesLogStart = _batches.Count == 0 && header.BaseOffset < _logEndOffset && header.LastOffset >= _logEndOffset;
            if (header.BaseOffset != _logEndOffset && !straddlesLogStart)
                throw new InvalidOperationException($"Follower append at {header.BaseOffset} but the log ends at {_logEndOffset}.");
            Span<byte> stored = Reserve(batch.Length, out byte[] segment, out int position);
            batch.CopyTo(stored);
            _batches.Add(new StoredBatch(header.BaseOffset, header.LastOffset, header.MaxTimestamp, header.PartitionLeaderEpoch, segment, position, batch.Length));
            _epochs.Assign(header.PartitionLeaderEpoch, Math.Max(header.BaseOffset, _logStartOffset));
            _logEndOffset = header.LastOffset + 1;
        }
    }

    /// <summary>True when a batch starting where <paramref name="header"/> does is stored with the same length and epoch.</summary>
    public bool HasSameBatch(in BatchHeader header, int length)
    {
        lock (_lock)
        {
            int index = IndexOfBatchContaining(header.BaseOffset);
            if (index < 0) return false;
            StoredBatch stored = _batches[index];
            return stored.BaseOffset == header.BaseOffset && stored.Length == length && stored.LeaderEpoch == header.PartitionLeaderEpoch;
        }
    }

    /// <summary>
    /// Consecutive batches from the one holding <paramref name="offset"/>, ending before
    /// <paramref name="endOffset"/>, within <paramref name="maxBytes"/> (but at least one batch when
    /// <paramref name="atLeastOne"/>, as KIP-74 asks for the first partition of a fetch).
    /// Stops at a segment boundary so the result is one slice.
    /// </summary>
    public ReadOnlyMemory<byte> Read(long offset, long endOffset, int maxBytes, bool atLeastOne)
    {
        lock (_lock)
        {
            int index = IndexOfBatchContaining(offset);
            if (index < 0) return ReadOnlyMemory<byte>.Empty;
            StoredBatch first = _batches[index];
            if (first.BaseOffset >= endOffset) return ReadOnlyMemory<byte>.Empty;
            if (first.Length > maxBytes && !atLeastOne) return ReadOnlyMemory<byte>.Empty;
            int length = first.Length;
            for (int i = index + 1; i < _batches.Count; i++)
            {
                StoredBatch next = _batches[i];
                if (next.BaseOffset >= endOffset || next.Segment != first.Segment || length + next.Length > maxBytes) break;
                length += next.Length;
            }
            return first.Segment.AsMemory(first.Position, length);
        }
    }

    /// <summary>Bytes of the batches from the one holding <paramref name="offset"/> up to <paramref name="endOffset"/>, counting no further than <paramref name="enough"/>.</summary>
    public long BytesAvailable(long offset, long endOffset, long enough)
    {
        lock (_lock)
        {
            int index = IndexOfBatchContaining(offset);
            if (index < 0) return 0;
            long total = 0;
            for (int i = index; i < _batches.Count && total < enough && _batches[i].BaseOffset < endOffset; i++) total += _batches[i].Length;
            return total;
        }
    }

    /// <summary>The stored batches from the one holding <paramref name="offset"/> to the end, for replication.</summary>
    public List<StoredBatch> BatchesFrom(long offset)
    {
        lock (_lock)
        {
            int index = IndexOfBatchContaining(offset);
            return index < 0 ? new List<StoredBatch>() : _batches.GetRange(index, _batches.Count - index);
        }
    }

    /// <summary>Every stored batch, for tests to decode.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> AllBatches()
    {
        lock (_lock) return _batches.Select(b => b.Bytes).ToList();
    }

    /// <summary>
    /// Where <paramref name="epoch"/> ends in this log, as Kafka's OffsetsForLeaderEpoch answers: the largest epoch
    /// at most the one asked for, and the start of the next larger epoch (the log end for the latest);
    /// (-1, -1) for an epoch newer than any known. Used to find where a follower or a consumer diverged.
    /// </summary>
    public (int Epoch, long EndOffset) EndOffsetForEpoch(int epoch)
    {
        lock (_lock) return _epochs.EndOffsetFor(epoch, _logEndOffset);
    }

    /// <summary>Drops every batch at or after <paramref name="offset"/> (rounded down to a batch start).</summary>
    public void TruncateTo(long offset)
    {
        lock (_lock)
        {
            if (offset >= _logEndOffset) return;
            int index = IndexOfBatchContaining(offset);
            if (index < 0) index = _batches.FindIndex(b => b.BaseOffset >= offset);
            if (index >= 0)
            {
                _logEndOffset = _batches[index].BaseOffset;
                _batches.RemoveRange(index, _batches.Count - index);
            }
            _logEndOffset = Math.Max(_logEndOffset, _logStartOffset);
            _epochs.TruncateFromEnd(_logEndOffset);
            // Later appends go to a fresh segment: slices already handed out keep their bytes.
            _segmentUsed = _segment.Length;
        }
    }

    /// <summary>Moves the log start to <paramref name="offset"/> (DeleteRecords), dropping batches wholly before it.</summary>
    public void AdvanceLogStart(long offset)
    {
        lock (_lock)
        {
            if (offset <= _logStartOffset) return;
            _logStartOffset = offset;
            _epochs.TruncateFromStart(offset);
            int keepFrom = 0;
            while (keepFrom < _batches.Count && _batches[keepFrom].LastOffset < offset) keepFrom++;
            _batches.RemoveRange(0, keepFrom);
            if (_logEndOffset < offset)
            {
                _logEndOffset = offset;
                _segmentUsed = _segment.Length;
            }
        }
    }

    /// <summary>
    /// The first offset whose record timestamp is at least <paramref name="timestamp"/>, with that
    /// timestamp; null when every record is older. Compressed batches are opened only when the codec is available.
    /// </summary>
    public (long Offset, long Timestamp)? OffsetForTimestamp(long timestamp, long endOffset)
    {
        StoredBatch? found = null;
        lock (_lock)
        {
            foreach (StoredBatch batch in _batches)
            {
                if (batch.BaseOffset >= endOffset) break;
                if (batch.MaxTimestamp >= timestamp) { found = batch; break; }
            }
        }
        if (found is not StoredBatch match) return null;
        foreach ((long offset, long recordTimestamp) in RecordTimestamps(match))
        {
            if (recordTimestamp >= timestamp && offset >= LogStartOffset) return (offset, recordTimestamp);
        }
        return (Math.Max(match.BaseOffset, LogStartOffset), match.MaxTimestamp);
    }

    /// <summary>The offset and timestamp of the record with the largest timestamp (ListOffsets MAX_TIMESTAMP), or null when empty.</summary>
    public (long Offset, long Timestamp)? MaxTimestampRecord(long endOffset)
    {
        StoredBatch? best = null;
        lock (_lock)
        {
            foreach (StoredBatch batch in _batches)
            {
                if (batch.BaseOffset >= endOffset) break;
                if (best is null || batch.MaxTimestamp > best.Value.MaxTimestamp) best = batch;
            }
        }
        if (best is not StoredBatch match) return null;
        foreach ((long offset, long recordTimestamp) in RecordTimestamps(match))
        {
            if (recordTimestamp == match.MaxTimestamp) return (offset, recordTimestamp);
        }
        return (match.LastOffset, match.MaxTimestamp);
    }

    private static List<(long Offset, long Timestamp)> RecordTimestamps(StoredBatch batch)
    {
        var result = new List<(long, long)>();
        ReadOnlySpan<byte> bytes = batch.Bytes.Span;
        if (!BatchHeader.TryRead(bytes, out BatchHeader header)) return result;
        ReadOnlySpan<byte> records = bytes[BatchHeader.Size..];
        byte[]? decompressed = null;
        if (header.Compression != CompressionType.None)
        {
            try
            {
                using var output = new PooledBufferWriter(records.Length * 4);
                Codecs.Decompress(header.Compression, records, output);
                decompressed = output.WrittenSpan.ToArray();
            }
            catch (Exception ex) when (ex is NotImplementedException or KafkaNative.KafkaException)
            {
                return result; // Codec not available: callers fall back to batch granularity.
            }
            records = decompressed;
        }
        try
        {
            var reader = new KafkaReader(records);
            for (int i = 0; i < header.RecordCount && !reader.End; i++)
            {
                int length = reader.ReadVarInt("record length");
                int start = reader.Position;
                reader.Skip(1, "attributes");
                long timestampDelta = reader.ReadVarLong("timestampDelta");
                int offsetDelta = reader.ReadVarInt("offsetDelta");
                result.Add((header.BaseOffset + offsetDelta, header.BaseTimestamp + timestampDelta));
                reader.Skip(length - (reader.Position - start), "record body");
            }
        }
        catch (KafkaNative.KafkaProtocolException)
        {
            // A malformed record set still answers at batch granularity.
        }
        return result;
    }

    private int IndexOfBatchContaining(long offset)
    {
        int low = 0, high = _batches.Count - 1;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            StoredBatch batch = _batches[mid];
            if (batch.LastOffset < offset) low = mid + 1;
            else if (batch.BaseOffset > offset) high = mid - 1;
            else return mid;
        }
        // An offset in a gap (after deletion or compaction-like holes) starts at the next batch.
        return low < _batches.Count && offset < _batches[low].BaseOffset && offset >= _logStartOffset ? low : -1;
    }

    private Span<byte> Reserve(int length, out byte[] segment, out int position)
    {
        if (_segment.Length - _segmentUsed < length)
        {
            int size = Math.Clamp(_segment.Length * 2, FirstSegmentSize, MaxSegmentSize);
            _segment = GC.AllocateUninitializedArray<byte>(Math.Max(size, length));
            _segmentUsed = 0;
        }
        segment = _segment;
        position = _segmentUsed;
        _segmentUsed += length;
        return _segment.AsSpan(position, length);
    }
}
