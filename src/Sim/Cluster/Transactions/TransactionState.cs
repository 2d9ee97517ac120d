using KafkaNative.Sim.Groups;

namespace KafkaNative.Sim.Transactions;

/// <summary>Where a transactional id's current transaction stands, as Kafka's TransactionState names it.</summary>
internal enum TransactionState
{
    /// <summary>No transaction yet for the current epoch (after InitProducerId).</summary>
    Empty,

    /// <summary>Partitions or a group were added: the transaction is open.</summary>
    Ongoing,

    /// <summary>EndTxn asked to commit; markers are being written.</summary>
    PrepareCommit,

    /// <summary>EndTxn, a fencing InitProducerId or the timeout asked to abort; markers are being written.</summary>
    PrepareAbort,

    /// <summary>Every commit marker is written and staged offsets are visible.</summary>
    CompleteCommit,

    /// <summary>Every abort marker is written and staged offsets are dropped.</summary>
    CompleteAbort,
}

/// <summary>
/// One transactional id's state: its producer id and epoch, its open transaction's partitions, groups and
/// staged offsets, and the markers still to write while it completes. Kept cluster-wide (see
/// <see cref="TransactionStore"/>) and touched only under its own lock.
/// </summary>
internal sealed class TransactionMetadata(string transactionalId, long producerId)
{
    public string TransactionalId { get; } = transactionalId;

    public long ProducerId { get; set; } = producerId;

    /// <summary>-1 until the first InitProducerId answers: the first one gets epoch 0.</summary>
    public short ProducerEpoch { get; set; } = -1;

    public int TimeoutMs { get; set; }

    public TransactionState State { get; set; }

    /// <summary>When the open transaction started (cluster clock, ms), for the timeout.</summary>
    public long StartedAtMs { get; set; } = -1;

    /// <summary>When the coordinator last changed this id's state, for expiration.</summary>
    public long LastUpdateMs { get; set; }

    /// <summary>Set once the id expired and left the store: requests that still hold this object treat the id as gone.</summary>
    public bool Expired { get; set; }

    /// <summary>The last EndTxn bumped the epoch (Transactions V2), so a retry of it comes with the epoch before.</summary>
    public bool LastEndBumped { get; set; }

    /// <summary>Partitions added to the open transaction.</summary>
    public HashSet<TopicAndPartition> Partitions { get; } = new();

    /// <summary>Groups added to the open transaction (AddOffsetsToTxn).</summary>
    public HashSet<string> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>Offsets staged by TxnOffsetCommit, per group: committed only if the transaction commits.</summary>
    public Dictionary<string, Dictionary<TopicAndPartition, CommittedOffset>> PendingOffsets { get; } = new(StringComparer.Ordinal);

    /// <summary>While completing: partitions whose marker is not yet written, with when it was last sent (-1: not yet).</summary>
    public Dictionary<TopicAndPartition, long> PendingMarkers { get; } = new();

    /// <summary>Counts completions, so a late answer for an earlier completion's marker is ignored.</summary>
    public int Completion { get; private set; }

    public bool IsCompleting => State is TransactionState.PrepareCommit or TransactionState.PrepareAbort;

    public bool Committing => State == TransactionState.PrepareCommit;

    /// <summary>Adds partitions or a group: the transaction opens on the first one.</summary>
    public void Open(long now)
    {
        if (State == TransactionState.Ongoing) return;
        State = TransactionState.Ongoing;
        StartedAtMs = now;
    }

    /// <summary>Moves to PrepareCommit or PrepareAbort: every added partition needs a marker.</summary>
    public void Prepare(bool commit)
    {
        State = commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort;
        Completion++;
        PendingMarkers.Clear();
        foreach (TopicAndPartition partition in Partitions) PendingMarkers[partition] = -1;
    }

    /// <summary>
    /// Every marker is written: the transaction completes, and its staged offsets are returned to be made
    /// visible (commit) or are dropped (abort).
    /// </summary>
    public Dictionary<string, Dictionary<TopicAndPartition, CommittedOffset>> Complete()
    {
        bool committed = State == TransactionState.PrepareCommit;
        State = committed ? TransactionState.CompleteCommit : TransactionState.CompleteAbort;
        var offsets = committed ? new Dictionary<string, Dictionary<TopicAndPartition, CommittedOffset>>(PendingOffsets) : new();
        Partitions.Clear();
        Groups.Clear();
        PendingOffsets.Clear();
        PendingMarkers.Clear();
        return offsets;
    }
}
