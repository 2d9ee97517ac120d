using System.Text;
using KafkaNative.Protocol.Records;
using KafkaNative.Sim;

namespace KafkaNative.Producer.Tests;

/// <summary>Reads what the simulated cluster stored, to check what the producer claims against the log.</summary>
internal static class ClusterLog
{
    /// <summary>Every record value of a partition, in offset order, with its offset.</summary>
    public static List<(long Offset, string Value)> Read(SimulatedCluster cluster, string topic, int partition)
    {
        var values = new List<(long, string)>();
        using var reader = new RecordBatchReader();
        foreach (ReadOnlyMemory<byte> stored in cluster.ReadBatches(topic, partition))
            foreach (RecordBatch batch in reader.Read(stored))
                foreach (var record in batch)
                    values.Add((record.Offset, Encoding.UTF8.GetString(record.ValueSpan)));
        return values;
    }

    /// <summary>Every value of every partition of a topic.</summary>
    public static Dictionary<int, List<(long Offset, string Value)>> ReadAll(SimulatedCluster cluster, string topic, int partitions) =>
        Enumerable.Range(0, partitions).ToDictionary(p => p, p => Read(cluster, topic, p));

    /// <summary>One line per stored batch of a partition (offsets, leader epoch, producer id/epoch, sequences, first and last value), to explain a failed order check.</summary>
    public static string DescribeBatches(SimulatedCluster cluster, string topic, int partition)
    {
        var text = new StringBuilder();
        using var reader = new RecordBatchReader();
        foreach (ReadOnlyMemory<byte> stored in cluster.ReadBatches(topic, partition))
            foreach (RecordBatch batch in reader.Read(stored))
            {
                RecordBatchHeader h = batch.Header;
                var values = new List<string>();
                foreach (var record in batch) values.Add(Encoding.UTF8.GetString(record.ValueSpan));
                text.AppendLine($"  offsets {h.BaseOffset}-{h.LastOffset} leaderEpoch {h.PartitionLeaderEpoch} pid {h.ProducerId} epoch {h.ProducerEpoch} seq {h.BaseSequence}+{h.RecordCount} values {values.FirstOrDefault()}..{values.LastOrDefault()}");
            }
        return text.ToString();
    }
}
