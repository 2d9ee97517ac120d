using KafkaNative.Protocol;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// What the stages share about one partition. The partition producer owns it and alone moves the
/// routing epoch; the broker stage halts a route (<see cref="Halt"/>), counts records out of transit
/// and, while the partition is routed to it, seals batches with the sequence fields.
/// </summary>
internal sealed class PartitionState(string topic, int partition, Transactions.TransactionManager? transactions = null)
{
    public string Topic { get; } = topic;
    public int Partition { get; } = partition;

    /// <summary>Where batches go back to when they fail or turn out stale; set once at creation.</summary>
    public PartitionProducer Owner { get; set; } = null!;

    /// <summary>
    /// Bumped each time the partition leaves a broker producer. Records and batches stamped with an
    /// older epoch belong to the old route: the aggregator and flusher hand them back instead of sending.
    /// </summary>
    public int RoutingEpoch;

    /// <summary>Records handed to a broker producer and not yet acknowledged, failed or handed back.</summary>
    public long InTransit;

    /// <summary>
    /// Set while the partition producer waits for its old route to give everything back: whoever
    /// brings <see cref="InTransit"/> to zero then wakes it (the drain is a message, not a poll).
    /// </summary>
    public volatile bool AwaitingDrain;

    // The routing epoch on which a batch of this partition came back with an error (-1: none).
    private int _haltedEpoch = -1;

    /// <summary>Set by a batch that was written; the partition producer reads and clears it to reset its retry backoff.</summary>
    public int SucceededSinceRoute;

    /// <summary>Creation order of this partition's batches, so retried batches keep record order.</summary>
    public long NextBatchSerial;

    // Idempotence: the producer id and epoch this partition's sequence numbers belong to.
    public long ProducerId = Sentinels.NoProducerId;
    public short ProducerEpoch = Sentinels.NoProducerEpoch;
    public int NextSequence;

    /// <summary>Set when a hole in the sequence means the producer epoch must be bumped before sending on.</summary>
    public bool NeedsEpochBump;

    /// <summary>The transaction (its serial) this partition was last added to; read and written by broker flushers under the transaction manager's lock.</summary>
    public int TransactionSerial = -1;

    /// <summary>
    /// Called by the broker stage when a batch of this partition comes back with an error: no later
    /// batch of that route is sealed or sent, since the broker would take it out of order (and its
    /// five-batch duplicate window could slide past the one to retry). The next route has a new epoch,
    /// so nothing needs to clear it.
    /// </summary>
    public void Halt(int routingEpoch)
    {
        int seen = Volatile.Read(ref _haltedEpoch);
        while (seen < routingEpoch)
        {
            int was = Interlocked.CompareExchange(ref _haltedEpoch, routingEpoch, seen);
            if (was == seen) return;
            seen = was;
        }
    }

    /// <summary>True when a batch stamped with <paramref name="routingEpoch"/> belongs to a route that left or halted: it goes back instead of out.</summary>
    public bool IsStale(int routingEpoch) => routingEpoch != Volatile.Read(ref RoutingEpoch) || routingEpoch == Volatile.Read(ref _haltedEpoch);

    /// <summary>Records leave a broker producer's hands (written, failed or handed back).</summary>
    public void LeaveTransit(long count)
    {
        // Interlocked.Add is a full fence: either this sees AwaitingDrain, or the waiter sees zero.
        if (Interlocked.Add(ref InTransit, -count) == 0 && AwaitingDrain) Owner.Wake();
    }

    /// <summary>
    /// Encodes <paramref name="batch"/>, giving it the partition's next sequence numbers when the
    /// producer is idempotent. Batches are sealed in creation order, so sequences follow record order.
    /// </summary>
    public void Seal(ProducerBatch batch)
    {
        // A transactional producer's identity changes between transactions (the epoch bump after an
        // abort): every partition adopts it and starts its sequence over.
        if (transactions?.Identity is { } identity && (identity.ProducerId != ProducerId || identity.Epoch != ProducerEpoch))
        {
            ProducerId = identity.ProducerId;
            ProducerEpoch = identity.Epoch;
            NextSequence = 0;
        }
        if (ProducerId < 0)
        {
            batch.Seal(Sentinels.NoProducerId, Sentinels.NoProducerEpoch, Sentinels.NoSequence);
            return;
        }
        batch.Seal(ProducerId, ProducerEpoch, NextSequence, transactional: transactions is not null);
        NextSequence = Sequences.Next(NextSequence, batch.Count);
    }

    public override string ToString() => $"{Topic}-{Partition}";
}
