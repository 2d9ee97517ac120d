using KafkaNative.Client;
using KafkaNative.Protocol;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// What a partition producer holds while it has no route: batches that came back (kept in creation
/// order, so a retry never reorders the partition) and the records that arrived since (in arrival
/// order). Owned by the partition producer's loop; not thread-safe.
/// </summary>
internal sealed class PartitionBacklog(ProducerContext context, PartitionState state)
{
    private readonly Queue<PendingRecord> _records = new();

    /// <summary>Returned batches, oldest first; they go out again before any held record.</summary>
    public List<ProducerBatch> Batches { get; } = [];

    public bool IsEmpty => Batches.Count == 0 && _records.Count == 0;

    public bool HasRecords => _records.Count > 0;

    public void AddBatch(ProducerBatch batch) => Batches.Add(batch);

    public void SortBatches() => Batches.Sort(static (a, b) => a.Serial.CompareTo(b.Serial));

    /// <summary>Holds a chunk's records after those already held, and pools the chunk.</summary>
    public void Hold(RecordChunk chunk)
    {
        for (int i = 0; i < chunk.Count; i++) _records.Enqueue(chunk.Records[i]);
        chunk.Return();
    }

    /// <summary>Holds a chunk's records ahead of those already held (they came first).</summary>
    public void HoldFirst(RecordChunk chunk)
    {
        PendingRecord[] later = _records.ToArray();
        _records.Clear();
        Hold(chunk);
        foreach (PendingRecord record in later) _records.Enqueue(record);
    }

    /// <summary>Takes up to a chunk's worth of held records, oldest first.</summary>
    public RecordChunk TakeChunk()
    {
        RecordChunk chunk = RecordChunk.Rent();
        while (!chunk.IsFull && _records.TryDequeue(out PendingRecord held)) chunk.Add(held);
        return chunk;
    }

    /// <summary>The earliest delivery deadline held, or <see cref="long.MaxValue"/>.</summary>
    public long EarliestDeadline()
    {
        long due = long.MaxValue;
        foreach (ProducerBatch batch in Batches) due = Math.Min(due, batch.Deadline);
        if (_records.TryPeek(out PendingRecord head)) due = Math.Min(due, head.Deadline);
        return due;
    }

    /// <summary>Fails held batches and records whose delivery deadline has passed; they are never sent again.</summary>
    public void FailExpired(long now)
    {
        for (int i = 0; i < Batches.Count; i++)
        {
            ProducerBatch batch = Batches[i];
            if (batch.Deadline > now) continue;
            // A hole in the sequence: later batches can only go on under a new epoch.
            if (batch.BaseSequence >= 0) state.NeedsEpochBump = true;
            batch.Fail(Expired(batch.LastError));
            Batches.RemoveAt(i--);
        }
        // Held records keep their arrival order, which is deadline order (all share the delivery timeout).
        while (_records.TryPeek(out PendingRecord head) && head.Deadline <= now)
        {
            PendingRecord record = _records.Dequeue();
            Pipeline.Fail(context, ref record, Expired(null));
        }
    }

    /// <summary>Fails everything held with <paramref name="error"/>.</summary>
    public void FailAll(KafkaException error)
    {
        foreach (ProducerBatch batch in Batches)
        {
            if (batch.BaseSequence >= 0) state.NeedsEpochBump = true;
            batch.Fail(error);
        }
        Batches.Clear();
        while (_records.TryDequeue(out PendingRecord record)) Pipeline.Fail(context, ref record, error);
    }

    /// <summary>
    /// Renumbers the held batches under the partition's new epoch. A batch that may already be in the
    /// log cannot be: under a new epoch the broker would take it as new and store it twice. It fails
    /// instead, telling its callers it may have been written.
    /// </summary>
    public void Restamp()
    {
        for (int i = 0; i < Batches.Count; i++)
        {
            ProducerBatch batch = Batches[i];
            if (!batch.IsSealed) continue;
            if (batch.MayBeWritten)
            {
                batch.Fail(new ProduceException(state.Topic, state.Partition, ErrorCodeOf(batch.LastError),
                    "the batch may have been written, and after the producer epoch was bumped it cannot be retried without risking a duplicate", batch.LastError));
                Batches.RemoveAt(i--);
                continue;
            }
            batch.Restamp(state.ProducerId, state.ProducerEpoch, state.NextSequence);
            state.NextSequence = Sequences.Next(state.NextSequence, batch.Count);
        }
    }

    private ProduceException Expired(Exception? last) => new(state.Topic, state.Partition, ErrorCodeOf(last),
        $"the delivery timeout ({context.Options.DeliveryTimeout}) expired{(last is null ? "" : " after: " + last.Message)}", last);

    public static ErrorCode ErrorCodeOf(Exception? error) => error is KafkaErrorException k ? k.ErrorCode : ErrorCode.RequestTimedOut;
}
