using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Client.Tests.Fakes;

/// <summary>
/// A transactional producer played by hand at the wire (FindCoordinator, InitProducerId, AddPartitionsToTxn, EndTxn),
/// so admin calls meet transactions in a known state. It writes no records: adding a partition opens the transaction.
/// </summary>
internal sealed class TransactionScript
{
    private readonly KafkaCluster _cluster;

    private TransactionScript(KafkaCluster cluster, string transactionalId, int coordinatorId, long producerId, short epoch)
    {
        _cluster = cluster;
        TransactionalId = transactionalId;
        CoordinatorId = coordinatorId;
        ProducerId = producerId;
        Epoch = epoch;
    }

    public string TransactionalId { get; }

    public int CoordinatorId { get; }

    public long ProducerId { get; }

    public short Epoch { get; }

    /// <summary>Finds the id's coordinator and initialises the id there (the id is then in state Empty).</summary>
    public static async Task<TransactionScript> InitAsync(KafkaCluster cluster, string transactionalId, int timeoutMs = 60_000)
    {
        FindCoordinatorResponse found = await cluster.SendToAnyBrokerAsync<FindCoordinatorRequest, FindCoordinatorResponse>(
            new FindCoordinatorRequest { KeyType = 1, CoordinatorKeys = [transactionalId] });
        FindCoordinatorResponse.Coordinator coordinator = Assert.Single(found.Coordinators);
        KafkaErrorException.ThrowIfError(coordinator.ErrorCode, $"FindCoordinator for {transactionalId}");
        InitProducerIdResponse init = await SendAsync<InitProducerIdRequest, InitProducerIdResponse>(cluster, coordinator.NodeId,
            new InitProducerIdRequest { TransactionalId = transactionalId, TransactionTimeoutMs = timeoutMs });
        KafkaErrorException.ThrowIfError(init.ErrorCode, $"InitProducerId for {transactionalId}");
        return new TransactionScript(cluster, transactionalId, coordinator.NodeId, init.ProducerId, init.ProducerEpoch);
    }

    /// <summary>Adds partitions of one topic: the first ones open the transaction (state Ongoing).</summary>
    public async Task AddPartitionsAsync(string topic, params int[] partitions)
    {
        AddPartitionsToTxnResponse response = await SendAsync<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>(_cluster, CoordinatorId, new AddPartitionsToTxnRequest
        {
            V3AndBelowTransactionalId = TransactionalId,
            V3AndBelowProducerId = ProducerId,
            V3AndBelowProducerEpoch = Epoch,
            V3AndBelowTopics = [new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic { Name = topic, Partitions = [.. partitions] }],
        }, maxVersion: 3); // the client form; v4+ is broker to broker
        foreach (AddPartitionsToTxnResponse.AddPartitionsToTxnPartitionResult result in response.ResultsByTopicV3AndBelow.SelectMany(t => t.ResultsByPartition))
            KafkaErrorException.ThrowIfError(result.PartitionErrorCode, $"AddPartitionsToTxn {topic}-{result.PartitionIndex}");
    }

    /// <summary>Commits or aborts (EndTxn); the coordinator completes once every marker is written.</summary>
    public async Task EndAsync(bool commit)
    {
        EndTxnResponse response = await SendAsync<EndTxnRequest, EndTxnResponse>(_cluster, CoordinatorId, new EndTxnRequest
        {
            TransactionalId = TransactionalId,
            ProducerId = ProducerId,
            ProducerEpoch = Epoch,
            Committed = commit,
        });
        KafkaErrorException.ThrowIfError(response.ErrorCode, $"EndTxn for {TransactionalId}");
    }

    private static async Task<TResponse> SendAsync<TRequest, TResponse>(KafkaCluster cluster, int nodeId, TRequest request, short? maxVersion = null)
        where TRequest : class, IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
    {
        using BrokerLease lease = await cluster.AcquireBrokerAsync(nodeId);
        return await lease.Broker.SendAsync<TRequest, TResponse>(request, new SendOptions(MaxVersion: maxVersion));
    }
}
