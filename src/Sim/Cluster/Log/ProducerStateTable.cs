using KafkaNative.Protocol;
using KafkaNative.Protocol.Records;
using KafkaNative.Sim.Transactions;

namespace KafkaNative.Sim.Log;

/// <summary>
/// Idempotent producer state of one partition, as Kafka keeps it: per producer id the current epoch
/// and the last five batches' sequence ranges. Leaders check incoming batches against it; leaders and
/// followers both record every appended batch, so the state survives a leader change.
/// </summary>
internal sealed class ProducerStateTable
{
    private const int CachedBatches = 5;

    private readonly Dictionary<long, ProducerEntry> _producers = new();

    /// <summary>What to do with an incoming batch.</summary>
    public readonly record struct Verdict(ErrorCode Error, long DuplicateOf)
    {
        public static readonly Verdict Append = new(ErrorCode.None, -1);

        public bool IsDuplicate => DuplicateOf >= 0;
    }

    public Verdict Check(in BatchHeader batch)
    {
        if (!batch.IsIdempotent) return Verdict.Append;
        if (!_producers.TryGetValue(batch.ProducerId, out ProducerEntry? entry))
        {
            return batch.BaseSequence == 0 ? Verdict.Append : new Verdict(ErrorCode.OutOfOrderSequenceNumber, -1);
        }
        if (batch.ProducerEpoch < entry.Epoch) return new Verdict(ErrorCode.InvalidProducerEpoch, -1);
        if (batch.ProducerEpoch > entry.Epoch)
        {
            return batch.BaseSequence == 0 ? Verdict.Append : new Verdict(ErrorCode.OutOfOrderSequenceNumber, -1);
        }
        foreach (CachedBatch cached in entry.Recent)
        {
            if (cached.FirstSequence == batch.BaseSequence && cached.LastSequence == batch.LastSequence)
                return new Verdict(ErrorCode.None, cached.BaseOffset);
        }
        int expected = entry.Recent.Count == 0 ? 0 : NextSequence(entry.Recent.Last().LastSequence);
        return batch.BaseSequence == expected ? Verdict.Append : new Verdict(ErrorCode.OutOfOrderSequenceNumber, -1);
    }

    /// <summary>Open and aborted transactions, from the transactional batches and markers recorded here.</summary>
    public TransactionIndex Transactions { get; } = new();

    /// <summary>Records a batch stored at <paramref name="baseOffset"/>; <paramref name="bytes"/> is the whole batch, read for a marker's type.</summary>
    public void Record(in BatchHeader batch, long baseOffset, ReadOnlySpan<byte> bytes)
    {
        if (!batch.IsIdempotent) return;
        if (batch.IsControl)
        {
            RecordMarker(batch, baseOffset, bytes);
            return;
        }
        if (batch.IsTransactional) Transactions.OnData(batch.ProducerId, baseOffset);
        if (!_producers.TryGetValue(batch.ProducerId, out ProducerEntry? entry) || batch.ProducerEpoch > entry.Epoch)
        {
            entry = new ProducerEntry(batch.ProducerEpoch);
            _producers[batch.ProducerId] = entry;
        }
        entry.Recent.Enqueue(new CachedBatch(batch.BaseSequence, batch.LastSequence, baseOffset));
        if (entry.Recent.Count > CachedBatches) entry.Recent.Dequeue();
    }

    /// <summary>Rebuilds the state from the batches a log still holds, after truncation.</summary>
    public void Rebuild(IEnumerable<StoredBatch> batches)
    {
        _producers.Clear();
        Transactions.Clear();
        foreach (StoredBatch stored in batches)
        {
            if (BatchHeader.TryRead(stored.Bytes.Span, out BatchHeader header)) Record(header, stored.BaseOffset, stored.Bytes.Span);
        }
    }

    /// <summary>
    /// A transaction marker closes the producer's transaction here. Written at the coordinator's epoch, it
    /// also raises the producer's epoch, so batches of a fenced instance are refused (INVALID_PRODUCER_EPOCH).
    /// </summary>
    private void RecordMarker(in BatchHeader marker, long offset, ReadOnlySpan<byte> bytes)
    {
        ControlRecordType type = TransactionMarkers.TypeOf(bytes);
        if (type is not (ControlRecordType.Commit or ControlRecordType.Abort)) return;
        Transactions.OnMarker(marker.ProducerId, type == ControlRecordType.Commit, offset);
        if (!_producers.TryGetValue(marker.ProducerId, out ProducerEntry? entry) || marker.ProducerEpoch > entry.Epoch)
            _producers[marker.ProducerId] = new ProducerEntry(marker.ProducerEpoch);
    }

    private static int NextSequence(int sequence) => sequence == int.MaxValue ? 0 : sequence + 1;

    private sealed class ProducerEntry(short epoch)
    {
        public short Epoch { get; } = epoch;

        public Queue<CachedBatch> Recent { get; } = new();
    }

    private readonly record struct CachedBatch(int FirstSequence, int LastSequence, long BaseOffset);
}
