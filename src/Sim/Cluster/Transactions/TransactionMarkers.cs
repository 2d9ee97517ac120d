using System.Buffers.Binary;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Primitives;
using KafkaNative.Protocol.Records;
using KafkaNative.Sim.Log;
using KafkaNative.Sim.Replication;

namespace KafkaNative.Sim.Transactions;

/// <summary>
/// Transaction markers: the control batches (control and transactional bits set, the producer's id and
/// epoch, one control record) a partition leader appends when the coordinator completes a transaction,
/// as Kafka's WriteTxnMarkers does. Consumers skip them; read_committed ones learn from them which
/// transactions aborted.
/// </summary>
internal static class TransactionMarkers
{
    /// <summary>Appends the marker on this broker if it leads the partition; answers the coordinator once the in-sync replicas have it.</summary>
    public static void Write(SimulatedBroker broker, WriteTxnMarker marker)
    {
        PartitionReplica? replica = broker.Replicas.Get(marker.Partition);
        ErrorCode error = replica is null
            ? broker.Cluster.Controller.Topic(marker.Partition.Topic) is null ? ErrorCode.UnknownTopicOrPartition : ErrorCode.NotLeaderOrFollower
            : replica.IsLeader ? ErrorCode.None : ErrorCode.NotLeaderOrFollower;
        if (error == ErrorCode.None)
        {
            byte[] batch = Build(marker.ProducerId, marker.ProducerEpoch, marker.Commit, marker.CoordinatorEpoch, broker.Cluster.Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            BatchHeader.TryRead(batch, out BatchHeader header);
            StoredBatch stored = broker.Replicas.AppendAsLeader(replica!, batch, header);
            // Answered only once replicated: a marker lost with its leader would leave the transaction open there for ever.
            if (replica!.HighWatermark < stored.NextOffset)
            {
                replica.MarkerWaiters.Add((stored.NextOffset, marker.Done));
                return;
            }
        }
        marker.Done.TrySetResult(error);
    }

    /// <summary>A marker batch: key (version 0, type ABORT 0 or COMMIT 1), value (version 0, coordinator epoch).</summary>
    public static byte[] Build(long producerId, short producerEpoch, bool commit, int coordinatorEpoch, long timestamp)
    {
        Span<byte> key = stackalloc byte[4];
        BinaryPrimitives.WriteInt16BigEndian(key, 0);
        BinaryPrimitives.WriteInt16BigEndian(key[2..], (short)(commit ? ControlRecordType.Commit : ControlRecordType.Abort));
        Span<byte> value = stackalloc byte[6];
        BinaryPrimitives.WriteInt16BigEndian(value, 0);
        BinaryPrimitives.WriteInt32BigEndian(value[2..], coordinatorEpoch);
        using var builder = new RecordBatchBuilder(128)
        {
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
            IsTransactional = true,
            IsControl = true,
        };
        builder.Append(timestamp, key, value);
        return builder.Build().ToArray();
    }

    /// <summary>The control type of a stored control batch (its first record's key), or Unknown when unreadable.</summary>
    public static ControlRecordType TypeOf(ReadOnlySpan<byte> batch)
    {
        if (batch.Length <= BatchHeader.Size) return ControlRecordType.Unknown;
        try
        {
            var reader = new KafkaReader(batch[BatchHeader.Size..]);
            reader.ReadVarInt("record length");
            reader.Skip(1, "attributes");
            reader.ReadVarLong("timestampDelta");
            reader.ReadVarInt("offsetDelta");
            if (reader.ReadVarInt("key length") < 4) return ControlRecordType.Unknown;
            reader.Skip(2, "control record version");
            return (ControlRecordType)reader.ReadInt16("control record type");
        }
        catch (KafkaProtocolException)
        {
            return ControlRecordType.Unknown;
        }
    }
}
