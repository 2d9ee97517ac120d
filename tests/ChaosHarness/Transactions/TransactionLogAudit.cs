using KafkaNative.Protocol.Records;
using KafkaNative.Sim;

namespace KafkaNative.Chaos;

/// <summary>
/// The independent checker of a transactional topic: reads the Sim's stored log and decides, marker by
/// marker, what a read_committed reader sees. A transactional batch is visible once its producer's next
/// marker in that partition is COMMIT, invisible if it is ABORT, and still open without one. Against the
/// input it was copied from: every input record visible exactly once, nothing foreign.
/// </summary>
public sealed class TransactionLogAudit
{
    private const int Examples = 5;
    private readonly List<string> _problems = [];
    private readonly Dictionary<long, int> _visible = [];

    private TransactionLogAudit()
    {
    }

    /// <summary>Records a read_committed reader sees.</summary>
    public int Visible => _visible.Values.Sum();

    /// <summary>Records in aborted transactions (invisible).</summary>
    public long Aborted { get; private set; }

    /// <summary>Records in transactions with no marker yet.</summary>
    public long Open { get; private set; }

    /// <summary>Input records with no visible copy.</summary>
    public long Missing { get; private set; }

    /// <summary>Visible copies beyond the first of a record.</summary>
    public long Duplicated { get; private set; }

    /// <summary>Visible values that are not input records.</summary>
    public long Foreign { get; private set; }

    /// <summary>True when every input record is visible exactly once and no transaction is left open.</summary>
    public bool ExactlyOnce => Missing == 0 && Duplicated == 0 && Foreign == 0 && Open == 0;

    /// <summary>Audits <paramref name="topic"/> against input records 0 to <paramref name="records"/> - 1.</summary>
    public static TransactionLogAudit Check(SimulatedCluster cluster, string topic, int partitions, long records)
    {
        var audit = new TransactionLogAudit();
        using var reader = new RecordBatchReader();
        for (int partition = 0; partition < partitions; partition++) audit.ReadPartition(reader, cluster.ReadBatches(topic, partition));
        for (long index = 0; index < records; index++)
        {
            if (!audit._visible.TryGetValue(index, out int copies)) audit.Problem(() => audit.Missing++, $"record {KeyedRecords.Value(index)} is not visible");
            else if (copies > 1) audit.Problem(() => audit.Duplicated += copies - 1, $"record {KeyedRecords.Value(index)} is visible {copies} times");
        }
        return audit;
    }

    /// <summary>The records a read_committed reader sees, in offset order per partition.</summary>
    private void ReadPartition(RecordBatchReader reader, IReadOnlyList<ReadOnlyMemory<byte>> batches)
    {
        var pending = new Dictionary<long, List<long>>();
        foreach (ReadOnlyMemory<byte> stored in batches)
        {
            foreach (RecordBatch batch in reader.Read(stored))
            {
                RecordBatchHeader header = batch.Header;
                if (header.IsControl)
                {
                    if (!pending.Remove(header.ProducerId, out List<long>? records)) continue;
                    if (batch.ControlType == ControlRecordType.Commit) foreach (long index in records) See(index);
                    else Aborted += records.Count;
                    continue;
                }
                var indexes = new List<long>();
                foreach (Record record in batch)
                {
                    long index = KeyedRecords.IndexOf(record.ValueSpan);
                    if (index < 0) Problem(() => Foreign++, $"offset {record.Offset} holds a value that is not an input record");
                    else indexes.Add(index);
                }
                if (!header.IsTransactional) indexes.ForEach(See);
                else if (pending.TryGetValue(header.ProducerId, out List<long>? open)) open.AddRange(indexes);
                else pending[header.ProducerId] = indexes;
            }
        }
        foreach (List<long> open in pending.Values) Open += open.Count;
    }

    private void See(long index) => _visible[index] = _visible.GetValueOrDefault(index) + 1;

    private void Problem(Action count, string example)
    {
        count();
        if (_problems.Count < Examples) _problems.Add(example);
    }

    /// <summary>The counts and the first few problems.</summary>
    public override string ToString() =>
        $"visible {Visible}, aborted {Aborted}, open {Open}, missing {Missing}, duplicated {Duplicated}, foreign {Foreign}"
        + (_problems.Count > 0 ? "; e.g. " + string.Join("; ", _problems) : "");
}
