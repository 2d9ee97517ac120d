using System.Buffers.Text;
using KafkaNative.Protocol.Records;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// Reads a topic's stored batches straight from the cluster and checks them against the ledger: how many
/// acknowledged records are missing (lost), how many records are stored more than once (duplicated, with how many extra copies) and how
/// many first copies come after a later record of the same key (out of order), and how many distinct records it holds.
/// </summary>
internal sealed record RealLogAudit(int Lost, int Duplicated, int DuplicateCopies, int OutOfOrder, int Distinct)
{
    public static RealLogAudit Read(SimulatedCluster cluster, string topic, int partitions, RealLedger ledger)
    {
        var copies = new int[ledger.Records];
        int outOfOrder = 0;
        using var reader = new RecordBatchReader();
        for (int partition = 0; partition < partitions; partition++)
        {
            var lastIdOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var data in cluster.ReadBatches(topic, partition))
            {
                foreach (RecordBatch batch in reader.Read(data))
                {
                    if (batch.Header.IsControl)
                        continue;
                    foreach (Record record in batch)
                    {
                        if (!Utf8Parser.TryParse(record.ValueSpan, out int id, out int used) || used != record.ValueLength || id < 0 || id >= copies.Length)
                            continue;
                        if (copies[id]++ > 0)
                            continue;
                        string key = System.Text.Encoding.UTF8.GetString(record.KeySpan);
                        if (lastIdOfKey.TryGetValue(key, out int last) && id < last)
                            outOfOrder++;
                        else
                            lastIdOfKey[key] = id;
                    }
                }
            }
        }
        int lost = Enumerable.Range(0, copies.Length).Count(id => copies[id] == 0 && ledger.IsAcknowledged(id));
        return new RealLogAudit(lost, copies.Count(count => count > 1), copies.Sum(count => Math.Max(0, count - 1)), outOfOrder, copies.Count(count => count > 0));
    }
}
