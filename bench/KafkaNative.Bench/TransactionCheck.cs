using System.Buffers.Text;
using KafkaNative.Protocol.Records;
using KafkaNative.Sim;
using KafkaNative.TestSupport;

namespace KafkaNative.Bench;

/// <summary>
/// The independent read after a transactional produce step, outside its timing: which records a
/// read_committed reader sees, told first from the Sim's stored log (each producer's transactional
/// batches settled by the commit or abort marker that follows them in the partition) and then, when kcat
/// is installed, by kcat reading with <c>isolation.level=read_committed</c>. Every committed record must be
/// visible exactly once and no aborted one at all, or the step fails.
/// </summary>
internal static class TransactionCheck
{
    private static readonly TimeSpan KcatTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The records the Sim's log makes visible, and what was wrong (null when nothing was).</summary>
    public static async Task<(long Visible, string? Problem)> RunAsync(SimulatedCluster cluster, ClientSettings run, bool readWithKcat)
    {
        var log = new VisibleRecords(run, "the Sim's log");
        using (var reader = new RecordBatchReader())
            for (int partition = 0; partition < run.Partitions; partition++)
                ReadPartition(reader, cluster.ReadBatches(run.Topic, partition), log);
        string? problem = log.Problem();
        if (problem is not null || !readWithKcat || !Kcat.IsInstalled) return (log.Count, problem);

        var kcat = new VisibleRecords(run, "kcat read_committed");
        Kcat.Result read = await Kcat.RunAsync(
            $"-C -b {cluster.BootstrapServers} -t {run.Topic} -o beginning -e -q -f %s\\n -X isolation.level=read_committed", KcatTimeout);
        if (read.ExitCode != 0) return (log.Count, $"kcat read_committed exited {read.ExitCode}: {read.Stderr.Trim()}");
        foreach (string line in read.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)) kcat.Add(System.Text.Encoding.ASCII.GetBytes(line));
        return (log.Count, kcat.Problem());
    }

    private static void ReadPartition(RecordBatchReader reader, IReadOnlyList<ReadOnlyMemory<byte>> batches, VisibleRecords log)
    {
        // Each producer's transactional records since its last marker in this partition.
        var open = new Dictionary<long, List<ReadOnlyMemory<byte>>>();
        foreach (ReadOnlyMemory<byte> stored in batches)
            foreach (RecordBatch batch in reader.Read(stored))
            {
                RecordBatchHeader header = batch.Header;
                if (header.IsControl)
                {
                    bool commit = batch.ControlType == ControlRecordType.Commit;
                    if (open.Remove(header.ProducerId, out var settled))
                        foreach (ReadOnlyMemory<byte> value in settled) { if (commit) log.Add(value.Span); else log.Aborted++; }
                    continue;
                }
                List<ReadOnlyMemory<byte>>? pending = header.IsTransactional ? open.GetValueOrDefault(header.ProducerId) ?? (open[header.ProducerId] = []) : null;
                foreach (Record record in batch)
                {
                    // Copied: a compressed batch's records live in the reader's buffer only until the next batch.
                    if (pending is not null) pending.Add(record.ValueSpan.ToArray());
                    else log.Add(record.ValueSpan);
                }
            }
        log.LeftOpen += open.Values.Sum(records => records.Count);
    }

    /// <summary>What one reader saw, held against the plan of committed and aborted transactions.</summary>
    private sealed class VisibleRecords(ClientSettings run, string reader)
    {
        private readonly bool[] _seen = new bool[run.Messages];
        private long _duplicates, _fromAborted, _foreign;

        public long Count { get; private set; }

        public long Aborted { get; set; }

        public long LeftOpen { get; set; }

        public void Add(ReadOnlySpan<byte> value)
        {
            Count++;
            if (value.Length != run.Size || !Utf8Parser.TryParse(value[..BenchValues.PrefixLength], out int index, out int used) || used != BenchValues.PrefixLength
                || index < 0 || index >= run.Messages)
                _foreign++;
            else if (_seen[index]) _duplicates++;
            else if (!run.IsCommitted(index)) _fromAborted++;
            else _seen[index] = true;
        }

        public string? Problem()
        {
            long expected = run.VisibleRecords;
            if (Count == expected && _duplicates == 0 && _fromAborted == 0 && _foreign == 0 && LeftOpen == 0) return null;
            return $"TRANSACTIONS DO NOT ADD UP in {reader}: {Count} records visible, expected {expected} " +
                $"({run.Transactions - Enumerable.Range(0, run.Transactions).Count(run.Aborts)} committed transactions of {run.TransactionSize}); " +
                $"{_fromAborted} from aborted transactions, {_duplicates} duplicates, {_foreign} foreign, {LeftOpen} in transactions left open, {Aborted} aborted.";
        }
    }
}
