using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Groups;

namespace KafkaNative.Sim.Handlers;

/// <summary>How transaction errors read at older request versions.</summary>
internal static class TransactionErrors
{
    /// <summary>PRODUCER_FENCED (KIP-588) reads as INVALID_PRODUCER_EPOCH before the version that introduced it, as Kafka answers.</summary>
    public static ErrorCode ForVersion(ErrorCode error, short version, short producerFencedSince) =>
        error == ErrorCode.ProducerFenced && version < producerFencedSince ? ErrorCode.InvalidProducerEpoch : error;
}

/// <summary>AddPartitionsToTxn in the client form (v0-3: one transactional id): the partitions join the open transaction.</summary>
internal static class AddPartitionsToTxnHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, AddPartitionsToTxnRequest request)
    {
        var unknown = request.V3AndBelowTopics.Where(t => broker.Cluster.Controller.Topic(t.Name) is not { } topic || t.Partitions.Any(p => p < 0 || p >= topic.Partitions.Count))
            .Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        ErrorCode error;
        if (unknown.Count > 0)
        {
            // Kafka adds none of them: the unknown ones say why, the others were not attempted.
            error = broker.Transactions.CheckCoordinator(request.V3AndBelowTransactionalId);
            context.Respond(Respond(request, name => error != ErrorCode.None ? error : unknown.Contains(name) ? ErrorCode.UnknownTopicOrPartition : ErrorCode.OperationNotAttempted));
            return;
        }
        var partitions = request.V3AndBelowTopics.SelectMany(t => t.Partitions.Select(p => new TopicAndPartition(t.Name, p))).ToList();
        error = broker.Transactions.AddPartitions(request.V3AndBelowTransactionalId, request.V3AndBelowProducerId, request.V3AndBelowProducerEpoch, partitions);
        error = TransactionErrors.ForVersion(error, context.ApiVersion, producerFencedSince: 2);
        context.Respond(Respond(request, _ => error));
    }

    public static AddPartitionsToTxnResponse Error(AddPartitionsToTxnRequest request, ErrorCode error, short version) => Respond(request, _ => error);

    private static AddPartitionsToTxnResponse Respond(AddPartitionsToTxnRequest request, Func<string, ErrorCode> errorOf) => new()
    {
        ResultsByTopicV3AndBelow = request.V3AndBelowTopics.Select(t => new AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult
        {
            Name = t.Name,
            ResultsByPartition = t.Partitions.Select(p => new AddPartitionsToTxnResponse.AddPartitionsToTxnPartitionResult
            {
                PartitionIndex = p,
                PartitionErrorCode = (short)errorOf(t.Name),
            }).ToList(),
        }).ToList(),
    };
}

/// <summary>AddOffsetsToTxn: the group's offsets (sent next with TxnOffsetCommit) commit or abort with the transaction.</summary>
internal static class AddOffsetsToTxnHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, AddOffsetsToTxnRequest request)
    {
        ErrorCode error = string.IsNullOrEmpty(request.GroupId)
            ? ErrorCode.InvalidGroupId
            : broker.Transactions.AddOffsets(request.TransactionalId, request.ProducerId, request.ProducerEpoch, request.GroupId);
        context.Respond(new AddOffsetsToTxnResponse { ErrorCode = (short)TransactionErrors.ForVersion(error, context.ApiVersion, producerFencedSince: 2) });
    }

    public static AddOffsetsToTxnResponse Error(AddOffsetsToTxnRequest request, ErrorCode error, short version) => new() { ErrorCode = (short)error };
}

/// <summary>EndTxn: commit or abort; the coordinator writes the markers after answering.</summary>
internal static class EndTxnHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, EndTxnRequest request)
    {
        (ErrorCode error, long producerId, short epoch) = broker.Transactions.EndTxn(request.TransactionalId, request.ProducerId, request.ProducerEpoch, request.Committed,
            bumpEpoch: context.ApiVersion >= 5 && broker.Cluster.Options.TransactionVersion >= 2);
        context.Respond(new EndTxnResponse
        {
            ErrorCode = (short)TransactionErrors.ForVersion(error, context.ApiVersion, producerFencedSince: 2),
            ProducerId = context.ApiVersion >= 5 && error == ErrorCode.None ? producerId : -1,
            ProducerEpoch = (short)(context.ApiVersion >= 5 && error == ErrorCode.None ? epoch : -1),
        });
    }

    public static EndTxnResponse Error(EndTxnRequest request, ErrorCode error, short version) => new() { ErrorCode = (short)error };
}

/// <summary>
/// TxnOffsetCommit, at the group's coordinator: checks the member as OffsetCommit does (v3+ carries the
/// consumer's generation, KIP-447) and stages the offsets with the transaction; they become the group's
/// committed offsets only when it commits.
/// </summary>
internal static class TxnOffsetCommitHandler
{
    private const int MaxMetadataLength = 4096;

    public static void Handle(SimulatedBroker broker, RequestContext context, TxnOffsetCommitRequest request)
    {
        ErrorCode error = broker.Groups.CheckCoordinator(request.GroupId);
        if (error == ErrorCode.None && request.GenerationId >= 0 && broker.Groups.IsConsumerGroup(request.GroupId))
        {
            // A consumer-protocol member commits in a transaction with its member epoch in GenerationId.
            error = broker.Groups.UseConsumer(request.GroupId, create: false, group =>
                group?.CheckCommit(request.MemberId, request.GenerationId, transactional: true, context.ApiVersion) ?? ErrorCode.IllegalGeneration);
        }
        else if (error == ErrorCode.None && request.GenerationId >= 0)
        {
            error = broker.Groups.Use(request.GroupId, create: false, group =>
                group?.CheckCommit(request.MemberId, request.GroupInstanceId, request.GenerationId, broker.Cluster.NowMs) ?? ErrorCode.IllegalGeneration);
        }
        var offsets = new List<(TopicAndPartition, CommittedOffset)>();
        var partitionErrors = new Dictionary<TopicAndPartition, ErrorCode>();
        foreach (TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic topic in request.Topics)
        {
            TopicSnapshot? known = broker.Cluster.Controller.Topic(topic.Name);
            foreach (TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition partition in topic.Partitions)
            {
                var tp = new TopicAndPartition(topic.Name, partition.PartitionIndex);
                if (known is null || partition.PartitionIndex < 0 || partition.PartitionIndex >= known.Partitions.Count) partitionErrors[tp] = ErrorCode.UnknownTopicOrPartition;
                else if (partition.CommittedMetadata is { Length: > MaxMetadataLength }) partitionErrors[tp] = ErrorCode.OffsetMetadataTooLarge;
                else offsets.Add((tp, new CommittedOffset(partition.CommittedOffset, partition.CommittedLeaderEpoch, partition.CommittedMetadata)));
            }
        }
        if (error == ErrorCode.None && offsets.Count > 0)
            error = broker.Transactions.StageOffsets(request.TransactionalId, request.ProducerId, request.ProducerEpoch, request.GroupId, offsets);
        // No TxnOffsetCommit version knows PRODUCER_FENCED: a stale epoch reads as INVALID_PRODUCER_EPOCH.
        if (error == ErrorCode.ProducerFenced) error = ErrorCode.InvalidProducerEpoch;
        context.Respond(Respond(request, (topic, partition) =>
            error != ErrorCode.None ? error : partitionErrors.GetValueOrDefault(new TopicAndPartition(topic, partition), ErrorCode.None)));
    }

    public static TxnOffsetCommitResponse Error(TxnOffsetCommitRequest request, ErrorCode error, short version) => Respond(request, (_, _) => error);

    private static TxnOffsetCommitResponse Respond(TxnOffsetCommitRequest request, Func<string, int, ErrorCode> errorOf) => new()
    {
        Topics = request.Topics.Select(t => new TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic
        {
            Name = t.Name,
            Partitions = t.Partitions.Select(p => new TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition
            {
                PartitionIndex = p.PartitionIndex,
                ErrorCode = (short)errorOf(t.Name, p.PartitionIndex),
            }).ToList(),
        }).ToList(),
    };
}
