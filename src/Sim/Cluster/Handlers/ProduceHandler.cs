using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;
using KafkaNative.Protocol.Records;
using KafkaNative.Sim.Log;
using KafkaNative.Sim.Replication;

namespace KafkaNative.Sim.Handlers;

/// <summary>
/// Produce: validates each partition's single v2 batch from its header and CRC alone, checks
/// idempotent sequences and that a transactional batch's partition is in its producer's open transaction, and stores the batch as sent with its base offset assigned. acks=1 answers
/// after the leader's append, acks=-1 once the in-sync replicas have it, acks=0 never (errors close
/// the session instead, so the client refreshes metadata). NOT_LEADER_OR_FOLLOWER carries the leader hints of
/// KIP-951 (<see cref="LeaderHints"/>).
/// </summary>
internal static class ProduceHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, ProduceRequest request)
    {
        var response = new ProduceResponse();
        short acks = request.Acks;
        DelayedProduce? delayed = acks == -1
            ? new DelayedProduce(context, response, broker.Cluster.NowMs + Math.Max(0, request.TimeoutMs), r => LeaderHints.Fill(broker, r, context.ApiVersion))
            : null;
        bool anyError = false;
        foreach (ProduceRequest.TopicProduceData topic in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topic.Name };
            response.Responses.Add(topicResponse);
            foreach (ProduceRequest.PartitionProduceData partition in topic.PartitionData)
            {
                var result = new ProduceResponse.PartitionProduceResponse { Index = partition.Index, BaseOffset = -1, LogAppendTimeMs = -1, LogStartOffset = -1 };
                topicResponse.PartitionResponses.Add(result);
                ErrorCode error = acks is 0 or 1 or -1
                    ? Append(broker, request.TransactionalId, new TopicAndPartition(topic.Name, partition.Index), partition.Records, acks, result, delayed)
                    : ErrorCode.InvalidRequiredAcks;
                result.ErrorCode = (short)error;
                anyError |= error != ErrorCode.None;
            }
        }
        switch (acks)
        {
            case 0:
                context.CloseAfterResponse = anyError;
                context.Respond(null);
                break;
            case -1:
                broker.DelayedProduces.Add(delayed!);
                delayed!.CompleteIfSettled();
                break;
            default:
                LeaderHints.Fill(broker, response, context.ApiVersion);
                context.Respond(response);
                break;
        }
    }

    public static ProduceResponse Error(ProduceRequest request, ErrorCode error, short version) => new()
    {
        Responses = request.TopicData.Select(t => new ProduceResponse.TopicProduceResponse
        {
            Name = t.Name,
            PartitionResponses = t.PartitionData.Select(p => new ProduceResponse.PartitionProduceResponse
            {
                Index = p.Index,
                ErrorCode = (short)error,
                BaseOffset = -1,
                LogAppendTimeMs = -1,
                LogStartOffset = -1,
            }).ToList(),
        }).ToList(),
    };

    private static ErrorCode Append(SimulatedBroker broker, string? transactionalId, TopicAndPartition tp, ReadOnlyMemory<byte>? records, short acks,
        ProduceResponse.PartitionProduceResponse result, DelayedProduce? delayed)
    {
        PartitionReplica? replica = broker.Replicas.Get(tp);
        if (replica is null)
            return broker.Cluster.Controller.Topic(tp.Topic) is { } topic && tp.Partition < topic.Partitions.Count
                ? ErrorCode.NotLeaderOrFollower
                : ErrorCode.UnknownTopicOrPartition;
        if (!replica.IsLeader) return ErrorCode.NotLeaderOrFollower;

        ReadOnlySpan<byte> batch = records is { } bytes ? bytes.Span : default;
        ErrorCode invalid = Validate(batch, out BatchHeader header);
        if (invalid != ErrorCode.None) return invalid;
        if (batch.Length > replica.Config.MaxMessageBytes) return ErrorCode.MessageTooLarge;
        if (replica.Config.IsCompacted && records is { } compacted && KeylessRecordError(compacted) is var keyless and not ErrorCode.None) return keyless;
        if (acks == -1 && replica.Isr.Length < replica.Config.MinInSyncReplicas) return ErrorCode.NotEnoughReplicas;

        ProducerStateTable.Verdict verdict = replica.Producers.Check(header);
        if (verdict.Error != ErrorCode.None) return verdict.Error;
        // A retried batch already stored is acknowledged again even if its transaction has moved on since.
        if (header.IsTransactional && !verdict.IsDuplicate)
        {
            if (transactionalId is null || !header.IsIdempotent) return ErrorCode.InvalidRecord;
            ErrorCode txnError = broker.Cluster.Transactions.CheckProduce(transactionalId, header.ProducerId, header.ProducerEpoch, tp);
            if (txnError != ErrorCode.None) return txnError;
        }
        long requiredOffset;
        if (verdict.IsDuplicate)
        {
            // Already stored: acknowledge it again without writing it twice.
            result.BaseOffset = verdict.DuplicateOf;
            requiredOffset = verdict.DuplicateOf + header.LastOffsetDelta + 1;
        }
        else
        {
            StoredBatch stored = broker.Replicas.AppendAsLeader(replica, batch, header);
            result.BaseOffset = stored.BaseOffset;
            requiredOffset = stored.NextOffset;
        }
        result.LogStartOffset = replica.Log.LogStartOffset;
        if (delayed is not null && replica.HighWatermark < requiredOffset)
        {
            delayed.Wait(result);
            replica.AckWaiters.Add(new AckWaiter(delayed, result, requiredOffset));
        }
        return ErrorCode.None;
    }

    /// <summary>Kafka's LogValidator refuses a record without a key on a compacted topic (INVALID_RECORD); compressed batches are opened to look.</summary>
    private static ErrorCode KeylessRecordError(ReadOnlyMemory<byte> records)
    {
        using var reader = new RecordBatchReader();
        try
        {
            foreach (RecordBatch batch in reader.Read(records))
                foreach (Record record in batch)
                    if (record.IsKeyNull) return ErrorCode.InvalidRecord;
        }
        catch (KafkaProtocolException)
        {
            return ErrorCode.CorruptMessage;
        }
        return ErrorCode.None;
    }

    /// <summary>Checks that <paramref name="records"/> is exactly one well-formed v2 batch (Kafka requires one per partition since produce v3).</summary>
    internal static ErrorCode Validate(ReadOnlySpan<byte> records, out BatchHeader header)
    {
        if (!BatchHeader.TryRead(records, out header)) return ErrorCode.CorruptMessage;
        if (header.Magic != 2) return ErrorCode.UnsupportedForMessageFormat;
        if (header.BatchLength < BatchHeader.Size - BatchHeader.LogOverhead || header.TotalLength > records.Length) return ErrorCode.CorruptMessage;
        if (header.TotalLength < records.Length) return ErrorCode.InvalidRecord;
        if (Crc32C.Compute(records[BatchHeader.CrcStart..]) != header.Crc) return ErrorCode.CorruptMessage;
        if (header.RecordCount < 1 || header.LastOffsetDelta != header.RecordCount - 1) return ErrorCode.InvalidRecord;
        // Only brokers write control batches (transaction markers); transactional batches are checked against the coordinator's state.
        if (header.IsControl) return ErrorCode.InvalidRecord;
        return ErrorCode.None;
    }
}
