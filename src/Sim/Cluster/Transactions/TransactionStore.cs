using System.Collections.Concurrent;
using KafkaNative.Protocol;

namespace KafkaNative.Sim.Transactions;

/// <summary>
/// Every transactional id's state, cluster-wide, as Kafka keeps it in the replicated __transaction_state
/// topic: the broker that becomes an id's coordinator finds it here, so a coordinator moving to another
/// broker loses no transaction. Partition leaders read it to accept transactional batches only for
/// partitions added to the producer's open transaction (KIP-890's verification, without the round trip).
/// </summary>
internal sealed class TransactionStore
{
    private readonly ConcurrentDictionary<string, TransactionMetadata> _transactions = new(StringComparer.Ordinal);

    public TransactionMetadata? Get(string transactionalId) => _transactions.GetValueOrDefault(transactionalId);

    public TransactionMetadata GetOrAdd(string transactionalId, Func<string, TransactionMetadata> create) => _transactions.GetOrAdd(transactionalId, create);

    public IEnumerable<TransactionMetadata> All => _transactions.Values;

    /// <summary>Forgets an expired id (under its lock).</summary>
    public void Remove(TransactionMetadata txn)
    {
        txn.Expired = true;
        _transactions.TryRemove(new KeyValuePair<string, TransactionMetadata>(txn.TransactionalId, txn));
    }

    /// <summary>
    /// Whether a leader may append a transactional batch of <paramref name="transactionalId"/>'s producer to
    /// <paramref name="partition"/>: the producer must hold the id's current epoch (else INVALID_PRODUCER_EPOCH,
    /// as Produce reports fencing) and the partition must be in its open transaction (else INVALID_TXN_STATE).
    /// </summary>
    public ErrorCode CheckProduce(string transactionalId, long producerId, short producerEpoch, TopicAndPartition partition)
    {
        TransactionMetadata? txn = Get(transactionalId);
        if (txn is null) return ErrorCode.InvalidProducerIdMapping;
        lock (txn)
        {
            if (producerId != txn.ProducerId) return ErrorCode.InvalidProducerIdMapping;
            if (producerEpoch != txn.ProducerEpoch) return ErrorCode.InvalidProducerEpoch;
            return txn.State == TransactionState.Ongoing && txn.Partitions.Contains(partition) ? ErrorCode.None : ErrorCode.InvalidTxnState;
        }
    }

    /// <summary>
    /// True while a transaction that has not completed holds offsets of <paramref name="groupId"/> for
    /// <paramref name="partition"/>: OffsetFetch with RequireStable answers UNSTABLE_OFFSET_COMMIT for it (KIP-447).
    /// </summary>
    public bool HasPendingOffset(string groupId, TopicAndPartition partition)
    {
        foreach (TransactionMetadata txn in _transactions.Values)
        {
            lock (txn)
            {
                if (txn.PendingOffsets.TryGetValue(groupId, out var staged) && staged.ContainsKey(partition)) return true;
            }
        }
        return false;
    }
}
