using KafkaNative.Protocol.Records;
using KafkaNative.Sim;

namespace KafkaNative.Chaos;

/// <summary>
/// The independent checker: reads the topic back from the Sim's stored log (what the leader holds)
/// and holds a producer's claims against it: every acknowledged record present exactly once, each
/// key's records in the order produced, the idempotent sequence numbers of each producer session
/// contiguous per partition.
/// </summary>
public sealed class LogAudit
{
    private const int Examples = 5;
    private readonly List<string> _problems = [];
    private readonly Dictionary<(int Partition, long Offset), long> _stored = [];

    private LogAudit()
    {
    }

    /// <summary>Which record is stored at each (partition, offset).</summary>
    public IReadOnlyDictionary<(int Partition, long Offset), long> Stored => _stored;

    /// <summary>Acknowledged records missing from the log.</summary>
    public long Lost { get; private set; }

    /// <summary>Records stored more than once (each extra copy counts).</summary>
    public long Duplicated { get; private set; }

    /// <summary>Records stored after a later record of the same key.</summary>
    public long OutOfOrder { get; private set; }

    /// <summary>Batches whose base sequence does not follow the previous batch of the same producer session and partition.</summary>
    public long SequenceBreaks { get; private set; }

    /// <summary>Stored values that are not workload records.</summary>
    public long Foreign { get; private set; }

    /// <summary>True when the log agrees with the producer and holds nothing twice or out of order.</summary>
    public bool Clean => Lost == 0 && Duplicated == 0 && OutOfOrder == 0 && SequenceBreaks == 0 && Foreign == 0;

    /// <summary>Reads every partition of <paramref name="topic"/> and checks it against <paramref name="ledger"/>.</summary>
    public static LogAudit Check(SimulatedCluster cluster, string topic, int partitions, DeliveryLedger ledger)
    {
        var audit = new LogAudit();
        var copies = new Dictionary<long, StoredCopy>();
        using var reader = new RecordBatchReader();
        for (int partition = 0; partition < partitions; partition++)
            audit.ReadPartition(reader, cluster.ReadBatches(topic, partition), partition, copies);
        audit.CheckAcknowledged(ledger, copies);
        return audit;
    }

    private void ReadPartition(RecordBatchReader reader, IReadOnlyList<ReadOnlyMemory<byte>> batches, int partition, Dictionary<long, StoredCopy> copies)
    {
        var lastSequenceOfKey = new Dictionary<int, long>();
        var nextSequenceOfSession = new Dictionary<(long ProducerId, short Epoch), int>();
        foreach (ReadOnlyMemory<byte> stored in batches)
            foreach (RecordBatch batch in reader.Read(stored))
            {
                RecordBatchHeader header = batch.Header;
                if (header.IsControl) continue;
                if (header.ProducerId >= 0)
                {
                    var session = (header.ProducerId, header.ProducerEpoch);
                    if (nextSequenceOfSession.TryGetValue(session, out int expected) && header.BaseSequence != expected)
                        Problem(() => SequenceBreaks++, $"partition {partition} offset {header.BaseOffset}: producer {session} base sequence {header.BaseSequence}, expected {expected}");
                    nextSequenceOfSession[session] = header.BaseSequence + header.RecordCount;
                }
                foreach (Record record in batch) ReadRecord(record, new StoredCopy(partition, record.Offset, header.ProducerId, header.ProducerEpoch, header.BaseSequence, header.Crc, header.BaseTimestamp), lastSequenceOfKey, copies);
            }
    }

    private void ReadRecord(Record record, StoredCopy copy, Dictionary<int, long> lastSequenceOfKey, Dictionary<long, StoredCopy> copies)
    {
        int partition = copy.Partition;
        long index = KeyedRecords.IndexOf(record.ValueSpan);
        if (index < 0)
        {
            Problem(() => Foreign++, $"partition {partition} offset {record.Offset} holds a value that is not a workload record");
            return;
        }
        _stored[(partition, record.Offset)] = index;
        if (copies.TryGetValue(index, out StoredCopy first))
        {
            Problem(() => Duplicated++, $"record {KeyedRecords.Value(index)} stored at {first} and again at {copy}");
            return;
        }
        copies[index] = copy;
        int key = KeyedRecords.KeyOf(index);
        long sequence = KeyedRecords.SequenceOf(index);
        if (lastSequenceOfKey.TryGetValue(key, out long last) && sequence < last)
            Problem(() => OutOfOrder++, $"partition {partition} offset {record.Offset}: key {key} record {sequence} after record {last}");
        else lastSequenceOfKey[key] = sequence;
    }

    private void CheckAcknowledged(DeliveryLedger ledger, Dictionary<long, StoredCopy> copies)
    {
        // Our producer says which record it acknowledged; kcat only says where it went.
        if (ledger.AcknowledgedIndexes.Count > 0)
        {
            foreach (long index in ledger.AcknowledgedIndexes)
                if (!copies.ContainsKey(index)) Problem(() => Lost++, $"acknowledged record {KeyedRecords.Value(index)} is not in the log");
        }
        else
        {
            foreach ((int partition, long offset) in ledger.AcknowledgedPositions)
                if (!_stored.ContainsKey((partition, offset))) Problem(() => Lost++, $"acknowledged partition {partition} offset {offset} is not in the log");
        }
    }

    private void Problem(Action count, string example)
    {
        count();
        if (_problems.Count < Examples) _problems.Add(example);
    }

    /// <summary>Where a record is stored, and the producer session, batch sequence, checksum and first timestamp of the batch it came in.</summary>
    private readonly record struct StoredCopy(int Partition, long Offset, long ProducerId, short Epoch, int BaseSequence, uint BatchCrc, long BaseTimestamp)
    {
        public override string ToString() => $"partition {Partition} offset {Offset} (producer {ProducerId} epoch {Epoch}, batch sequence {BaseSequence}, crc {BatchCrc:x8}, base timestamp {BaseTimestamp})";
    }

    /// <summary>The counts and the first few problems.</summary>
    public override string ToString() =>
        $"stored {_stored.Count}, lost {Lost}, duplicated {Duplicated}, out of order {OutOfOrder}, sequence breaks {SequenceBreaks}, foreign {Foreign}"
        + (_problems.Count > 0 ? "; e.g. " + string.Join("; ", _problems) : "");
}
