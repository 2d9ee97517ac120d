using KafkaNative.Protocol;
using KafkaNative.Sim.Groups;

namespace KafkaNative.Sim.Transactions;

/// <summary>
/// One broker's transaction coordinator role (Kafka's TransactionCoordinator). A transactional id maps to a
/// coordinator slot as a group does (Kafka's __transaction_state has 50 partitions and the same hash); this
/// broker serves the ids whose slot it owns and answers NOT_COORDINATOR for the others. State lives in the
/// cluster-wide <see cref="TransactionStore"/>, so a new coordinator carries on where the old one stopped,
/// including markers still to write.
/// </summary>
internal sealed class TransactionCoordinator(SimulatedBroker broker)
{
    /// <summary>How long a marker sent to a leader may stay unanswered before it is sent again (the leader may have died with it).</summary>
    private const long MarkerResendMs = 1000;

    private ClusterContext Cluster => broker.Cluster;

    /// <summary>INVALID_REQUEST (no id), NOT_COORDINATOR or NONE for requests about <paramref name="transactionalId"/>.</summary>
    public ErrorCode CheckCoordinator(string? transactionalId)
    {
        if (string.IsNullOrEmpty(transactionalId)) return ErrorCode.InvalidRequest;
        return Cluster.Controller.CoordinatorFor(transactionalId).BrokerId == broker.Id ? ErrorCode.None : ErrorCode.NotCoordinator;
    }

    /// <summary>
    /// InitProducerId with a transactional id: the id's producer id at the next epoch, which fences older
    /// instances. An open transaction is aborted first at a bumped epoch and the caller told to retry
    /// (CONCURRENT_TRANSACTIONS), as Kafka does; the retry bumps the epoch again once the abort completed.
    /// </summary>
    public (ErrorCode Error, long ProducerId, short Epoch) InitProducerId(string transactionalId, int timeoutMs, long producerId, short producerEpoch)
    {
        if (timeoutMs <= 0 || timeoutMs > Cluster.Options.TransactionMaxTimeoutMs) return (ErrorCode.InvalidTransactionTimeout, -1, -1);
        (long, short) result = (-1, -1);
        ErrorCode error = Use(transactionalId, create: true, txn =>
        {
            if (txn.IsCompleting) return ErrorCode.ConcurrentTransactions;
            // KIP-360: a producer that names its id and epoch may bump only the epoch it holds.
            if (producerId >= 0 && (producerId != txn.ProducerId || producerEpoch != txn.ProducerEpoch)) return ErrorCode.ProducerFenced;
            if (txn.State == TransactionState.Ongoing)
            {
                AbortFencing(txn);
                return ErrorCode.ConcurrentTransactions;
            }
            if (txn.ProducerEpoch >= short.MaxValue - 1)
            {
                txn.ProducerId = Cluster.NextProducerId();
                txn.ProducerEpoch = 0;
            }
            else
            {
                txn.ProducerEpoch++;
            }
            txn.TimeoutMs = timeoutMs;
            txn.LastEndBumped = false;
            txn.State = TransactionState.Empty;
            result = (txn.ProducerId, txn.ProducerEpoch);
            return ErrorCode.None;
        });
        return (error, result.Item1, result.Item2);
    }

    /// <summary>AddPartitionsToTxn: the partitions join the open transaction (opening it).</summary>
    public ErrorCode AddPartitions(string transactionalId, long producerId, short producerEpoch, IReadOnlyCollection<TopicAndPartition> partitions) =>
        Use(transactionalId, create: false, txn =>
        {
            if (CheckProducer(txn, producerId, producerEpoch) is var error && error != ErrorCode.None) return error;
            if (txn.IsCompleting) return ErrorCode.ConcurrentTransactions;
            txn.Open(Cluster.NowMs);
            txn.Partitions.UnionWith(partitions);
            return ErrorCode.None;
        });

    /// <summary>AddOffsetsToTxn: the group's offsets will commit with the transaction.</summary>
    public ErrorCode AddOffsets(string transactionalId, long producerId, short producerEpoch, string groupId) =>
        Use(transactionalId, create: false, txn =>
        {
            if (CheckProducer(txn, producerId, producerEpoch) is var error && error != ErrorCode.None) return error;
            if (txn.IsCompleting) return ErrorCode.ConcurrentTransactions;
            txn.Open(Cluster.NowMs);
            txn.Groups.Add(groupId);
            return ErrorCode.None;
        });

    /// <summary>
    /// EndTxn: prepares the commit or abort and answers at once, as Kafka answers once the prepare is logged;
    /// the markers follow, and until they are all written the id answers CONCURRENT_TRANSACTIONS. Repeating an
    /// end that completed succeeds; ending what is not open is INVALID_TXN_STATE. With <paramref name="bumpEpoch"/>
    /// (EndTxn v5, Transactions V2) the end bumps the epoch, its markers carry the new one, and the answer names
    /// it; a retry after a lost answer then comes with the epoch before the bump and is recognised as one.
    /// </summary>
    public (ErrorCode Error, long ProducerId, short Epoch) EndTxn(string transactionalId, long producerId, short producerEpoch, bool commit, bool bumpEpoch)
    {
        (long, short) identity = (-1, -1);
        ErrorCode error = Use(transactionalId, create: false, txn =>
        {
            bool retryOfBumpedEnd = bumpEpoch && txn.LastEndBumped && producerId == txn.ProducerId && producerEpoch == txn.ProducerEpoch - 1;
            if (!retryOfBumpedEnd && CheckProducer(txn, producerId, producerEpoch) is var refused && refused != ErrorCode.None) return refused;
            ErrorCode answer = txn.State switch
            {
                // An old epoch's retry must never end the transaction the new epoch opened.
                TransactionState.Ongoing when retryOfBumpedEnd => ErrorCode.ProducerFenced,
                TransactionState.Ongoing => Prepare(txn, commit, bumpEpoch),
                TransactionState.PrepareCommit when commit => ErrorCode.ConcurrentTransactions,
                TransactionState.PrepareAbort when !commit => ErrorCode.ConcurrentTransactions,
                TransactionState.CompleteCommit when commit => ErrorCode.None,
                TransactionState.CompleteAbort when !commit => ErrorCode.None,
                _ => ErrorCode.InvalidTxnState,
            };
            identity = (txn.ProducerId, txn.ProducerEpoch);
            return answer;
        });
        return (error, identity.Item1, identity.Item2);
    }

    private ErrorCode Prepare(TransactionMetadata txn, bool commit, bool bumpEpoch)
    {
        // An epoch about to overflow is not bumped here; the producer's next InitProducerId starts a new producer id.
        txn.LastEndBumped = bumpEpoch && txn.ProducerEpoch < short.MaxValue - 1;
        if (txn.LastEndBumped) txn.ProducerEpoch++;
        txn.Prepare(commit);
        SendMarkers(txn, Cluster.NowMs);
        return ErrorCode.None;
    }

    /// <summary>
    /// TxnOffsetCommit, served by the group's coordinator: stages offsets with the producer's open transaction,
    /// which the group must have joined through AddOffsetsToTxn.
    /// </summary>
    public ErrorCode StageOffsets(string transactionalId, long producerId, short producerEpoch, string groupId, IEnumerable<(TopicAndPartition Partition, CommittedOffset Offset)> offsets)
    {
        TransactionMetadata? txn = Cluster.Transactions.Get(transactionalId);
        if (txn is null) return ErrorCode.InvalidProducerIdMapping;
        lock (txn)
        {
            if (CheckProducer(txn, producerId, producerEpoch) is var error && error != ErrorCode.None) return error;
            if (txn.State != TransactionState.Ongoing || !txn.Groups.Contains(groupId)) return ErrorCode.InvalidTxnState;
            if (!txn.PendingOffsets.TryGetValue(groupId, out Dictionary<TopicAndPartition, CommittedOffset>? staged))
            {
                staged = new Dictionary<TopicAndPartition, CommittedOffset>();
                txn.PendingOffsets[groupId] = staged;
            }
            foreach ((TopicAndPartition partition, CommittedOffset offset) in offsets) staged[partition] = offset;
            return ErrorCode.None;
        }
    }

    /// <summary>The ids this broker coordinates, as DescribeTransactions and ListTransactions show them.</summary>
    public IReadOnlyList<TransactionSnapshot> Current()
    {
        var current = new List<TransactionSnapshot>();
        foreach (TransactionMetadata txn in Cluster.Transactions.All)
        {
            Use(txn.TransactionalId, create: false, t =>
            {
                current.Add(Snapshot(t));
                return ErrorCode.None;
            });
        }
        return current;
    }

    /// <summary>One id's state; NOT_COORDINATOR elsewhere, TRANSACTIONAL_ID_NOT_FOUND for an id never initialised.</summary>
    public (ErrorCode Error, TransactionSnapshot? Transaction) Describe(string transactionalId)
    {
        TransactionSnapshot? snapshot = null;
        ErrorCode error = CheckCoordinator(transactionalId) is var notHere && notHere != ErrorCode.None ? notHere
            : Cluster.Transactions.Get(transactionalId) is null ? ErrorCode.TransactionalIdNotFound
            : Use(transactionalId, create: false, t =>
            {
                snapshot = Snapshot(t);
                return ErrorCode.None;
            });
        return (error, snapshot);
    }

    private TransactionSnapshot Snapshot(TransactionMetadata txn)
    {
        // Kafka keeps the last transaction's start after it completes; -1 only before the first.
        bool started = txn.StartedAtMs >= 0;
        // Start times go out on the wall clock; the coordinator measures them on the cluster's monotonic one.
        long startedAt = started ? Cluster.Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() - (Cluster.NowMs - txn.StartedAtMs) : -1;
        return new TransactionSnapshot(txn.TransactionalId, txn.State, txn.ProducerId, txn.ProducerEpoch, txn.TimeoutMs, startedAt,
            started ? Cluster.NowMs - txn.StartedAtMs : -1, txn.Partitions.ToList());
    }

    /// <summary>
    /// Aborts transactions past their timeout, (re)sends the markers of completing ones, and forgets ids unused
    /// past <see cref="ClusterOptions.TransactionalIdExpiration"/>, for the ids coordinated here.
    /// </summary>
    public void OnTick(long now)
    {
        long expiration = (long)Cluster.Options.TransactionalIdExpiration.TotalMilliseconds;
        foreach (TransactionMetadata txn in Cluster.Transactions.All)
        {
            bool open = txn.State is TransactionState.Ongoing or TransactionState.PrepareCommit or TransactionState.PrepareAbort;
            if (!open && now - txn.LastUpdateMs <= expiration) continue;
            Use(txn.TransactionalId, create: false, t =>
            {
                if (t.State == TransactionState.Ongoing && now - t.StartedAtMs > t.TimeoutMs) AbortFencing(t);
                else if (t.IsCompleting) SendMarkers(t, now);
                else if (!open && now - t.LastUpdateMs > expiration) Cluster.Transactions.Remove(t);
                return ErrorCode.None;
            });
        }
    }

    /// <summary>Aborts the open transaction at a bumped epoch, so its producer can no longer write or commit (Kafka fences it so).</summary>
    private void AbortFencing(TransactionMetadata txn)
    {
        txn.ProducerEpoch++;
        txn.LastEndBumped = false;
        txn.Prepare(commit: false);
        SendMarkers(txn, Cluster.NowMs);
    }

    private static ErrorCode CheckProducer(TransactionMetadata txn, long producerId, short producerEpoch) =>
        producerId != txn.ProducerId ? ErrorCode.InvalidProducerIdMapping
        : producerEpoch != txn.ProducerEpoch ? ErrorCode.ProducerFenced
        : ErrorCode.None;

    /// <summary>Runs <paramref name="action"/> under the id's lock once this broker is confirmed as its coordinator.</summary>
    private ErrorCode Use(string transactionalId, bool create, Func<TransactionMetadata, ErrorCode> action)
    {
        if (CheckCoordinator(transactionalId) is var error && error != ErrorCode.None) return error;
        TransactionMetadata? txn = create
            ? Cluster.Transactions.GetOrAdd(transactionalId, id => new TransactionMetadata(id, Cluster.NextProducerId()))
            : Cluster.Transactions.Get(transactionalId);
        if (txn is null) return ErrorCode.InvalidProducerIdMapping;
        lock (txn)
        {
            // The slot may have moved since the first check; the new coordinator owns the id now.
            if (Cluster.Controller.CoordinatorFor(transactionalId).BrokerId != broker.Id) return ErrorCode.NotCoordinator;
            // Expired between the lookup and the lock: gone for its producer; a new InitProducerId tries again.
            if (txn.Expired) return create ? ErrorCode.ConcurrentTransactions : ErrorCode.InvalidProducerIdMapping;
            ErrorCode result = action(txn);
            if (result == ErrorCode.None) txn.LastUpdateMs = Cluster.NowMs;
            return result;
        }
    }

    /// <summary>Sends each marker not yet written (nor sent lately) to its partition's current leader. Under the id's lock.</summary>
    private void SendMarkers(TransactionMetadata txn, long now)
    {
        int coordinatorEpoch = Cluster.Controller.CoordinatorFor(txn.TransactionalId).Epoch;
        foreach ((TopicAndPartition partition, long sentAt) in txn.PendingMarkers.ToList())
        {
            if (sentAt >= 0 && now - sentAt < MarkerResendMs) continue;
            if (Cluster.Controller.Topic(partition.Topic) is null)
            {
                txn.PendingMarkers.Remove(partition); // deleted with its topic: nothing to mark
                continue;
            }
            int leader = Cluster.Controller.LeaderOf(partition);
            var done = new TaskCompletionSource<ErrorCode>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (leader < 0 || !Cluster.Send(leader, new WriteTxnMarker(partition, txn.ProducerId, txn.ProducerEpoch, txn.Committing, coordinatorEpoch, done))) continue;
            txn.PendingMarkers[partition] = now;
            _ = AwaitMarkerAsync(txn, txn.Completion, partition, done.Task);
        }
        if (txn.PendingMarkers.Count == 0) Complete(txn);
    }

    private async Task AwaitMarkerAsync(TransactionMetadata txn, int completion, TopicAndPartition partition, Task<ErrorCode> written)
    {
        ErrorCode error = await written.ConfigureAwait(false);
        lock (txn)
        {
            if (txn.Completion != completion || !txn.IsCompleting || !txn.PendingMarkers.ContainsKey(partition)) return;
            if (error is ErrorCode.None or ErrorCode.UnknownTopicOrPartition) txn.PendingMarkers.Remove(partition);
            else txn.PendingMarkers[partition] = -1; // the next tick sends it to the partition's new leader
            if (txn.PendingMarkers.Count == 0) Complete(txn);
        }
    }

    /// <summary>Every marker is written: a commit makes the staged offsets the groups' committed offsets.</summary>
    private void Complete(TransactionMetadata txn)
    {
        foreach ((string groupId, Dictionary<TopicAndPartition, CommittedOffset> offsets) in txn.Complete())
        {
            foreach ((TopicAndPartition partition, CommittedOffset offset) in offsets) Cluster.Offsets.Commit(groupId, partition, offset);
        }
    }
}

/// <summary>A transactional id's state at one moment, for the admin APIs.</summary>
internal sealed record TransactionSnapshot(
    string TransactionalId, TransactionState State, long ProducerId, short ProducerEpoch, int TimeoutMs, long StartTimeMs, long RunningMs,
    IReadOnlyList<TopicAndPartition> Partitions);
