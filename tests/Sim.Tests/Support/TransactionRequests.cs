using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Records;
using KafkaNative.Sim.Log;
using static KafkaNative.Sim.Tests.ProduceFetchTests;

namespace KafkaNative.Sim.Tests.Support;

/// <summary>A transactional producer's requests, sent by hand at the wire, for tests of the Sim's transaction coordinator and partitions.</summary>
internal static class TransactionRequests
{
    public const int TimeoutMs = 60_000;

    /// <summary>A transaction's producer as the coordinator knows it.</summary>
    public sealed record TxnProducer(string TransactionalId, long Id, short Epoch);

    public static async Task<KafkaTestClient> CoordinatorAsync(SimulatedCluster cluster, string transactionalId)
    {
        await using KafkaTestClient any = await KafkaTestClient.ConnectAsync(cluster, 0);
        FindCoordinatorResponse found = await any.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(
            new FindCoordinatorRequest { Key = transactionalId, KeyType = 1 }, 3);
        Assert.Equal((short)ErrorCode.None, found.ErrorCode);
        return await KafkaTestClient.ConnectAsync(cluster, found.NodeId);
    }

    public static Task<InitProducerIdResponse> InitAsync(KafkaTestClient coordinator, string transactionalId, int timeoutMs = TimeoutMs) =>
        coordinator.SendAsync<InitProducerIdRequest, InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = transactionalId, TransactionTimeoutMs = timeoutMs }, 4);

    /// <summary>InitProducerId until it answers (it says CONCURRENT_TRANSACTIONS while an abort it started completes).</summary>
    public static async Task<TxnProducer> InitUntilDoneAsync(KafkaTestClient coordinator, string transactionalId, int timeoutMs = TimeoutMs)
    {
        InitProducerIdResponse? init = null;
        await Eventually.TrueAsync(async () => (init = await InitAsync(coordinator, transactionalId, timeoutMs)).ErrorCode != (short)ErrorCode.ConcurrentTransactions,
            "InitProducerId to stop answering CONCURRENT_TRANSACTIONS");
        Assert.Equal((short)ErrorCode.None, init!.ErrorCode);
        return new TxnProducer(transactionalId, init.ProducerId, init.ProducerEpoch);
    }

    public static async Task<short> AddPartitionsAsync(KafkaTestClient coordinator, TxnProducer producer, string topic, params int[] partitions)
    {
        AddPartitionsToTxnResponse response = await coordinator.SendAsync<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>(new AddPartitionsToTxnRequest
        {
            V3AndBelowTransactionalId = producer.TransactionalId,
            V3AndBelowProducerId = producer.Id,
            V3AndBelowProducerEpoch = producer.Epoch,
            V3AndBelowTopics = [new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic { Name = topic, Partitions = partitions.ToList() }],
        }, 3);
        return response.ResultsByTopicV3AndBelow.Single().ResultsByPartition.Select(p => p.PartitionErrorCode).Distinct().Single();
    }

    public static async Task<short> EndAsync(KafkaTestClient coordinator, TxnProducer producer, bool commit, short version = 3) =>
        (await coordinator.SendAsync<EndTxnRequest, EndTxnResponse>(new EndTxnRequest
        {
            TransactionalId = producer.TransactionalId,
            ProducerId = producer.Id,
            ProducerEpoch = producer.Epoch,
            Committed = commit,
        }, version)).ErrorCode;

    public static Task<ProduceResponse.PartitionProduceResponse> ProduceTxnAsync(KafkaTestClient leader, TxnProducer producer, string topic, int sequence, params string[] values)
    {
        ProduceRequest request = Produce(topic, 0, Batches.Build(values, producer.Id, producer.Epoch, sequence, transactional: true), -1);
        request.TransactionalId = producer.TransactionalId;
        return leader.SendAsync<ProduceRequest, ProduceResponse>(request, 9).ContinueWith(t => t.Result.Responses.Single().PartitionResponses.Single());
    }

    public static async Task<FetchResponse.PartitionData> FetchCommittedAsync(KafkaTestClient leader, string topic)
    {
        FetchRequest request = Fetch(topic, 0, 0, 0, 1);
        request.IsolationLevel = 1;
        return (await leader.SendAsync<FetchRequest, FetchResponse>(request, 11)).Responses.Single().Partitions.Single();
    }

    public static async Task<long> LatestAsync(KafkaTestClient leader, string topic, sbyte isolationLevel)
    {
        var request = new ListOffsetsRequest
        {
            ReplicaId = -1,
            IsolationLevel = isolationLevel,
            Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = -1 }] }],
        };
        return (await leader.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(request, 7)).Topics[0].Partitions[0].Offset;
    }

    public static ControlRecordType? MarkerAt(SimulatedCluster cluster, string topic, long offset)
    {
        foreach (ReadOnlyMemory<byte> batch in cluster.ReadBatches(topic, 0))
        {
            BatchHeader.TryRead(batch.Span, out BatchHeader header);
            if (header.BaseOffset == offset) return header.IsControl && header.IsTransactional ? Transactions.TransactionMarkers.TypeOf(batch.Span) : null;
        }
        return null;
    }
}
