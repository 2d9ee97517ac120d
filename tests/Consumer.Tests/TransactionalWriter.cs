using System.Text;
using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Records;

namespace KafkaNative.Consumer.Tests;

/// <summary>
/// A transactional producer at the wire, for consumer tests: InitProducerId at the transaction coordinator,
/// AddPartitionsToTxn before a partition's first batch, transactional batches with their sequences,
/// EndTxn. The Sim's coordinator then writes the COMMIT or ABORT markers (control batches) on its own.
/// Answers that mean "again shortly" (CONCURRENT_TRANSACTIONS while the last markers are written, a
/// coordinator loading or moving) are retried against a deadline.
/// </summary>
internal sealed class TransactionalWriter
{
    private static readonly HashSet<ErrorCode> Again =
        [ErrorCode.ConcurrentTransactions, ErrorCode.CoordinatorLoadInProgress, ErrorCode.CoordinatorNotAvailable, ErrorCode.NotCoordinator];

    private readonly KafkaCluster _cluster;
    private readonly string _id;
    private readonly Dictionary<(string Topic, int Partition), int> _sequences = [];
    private readonly HashSet<(string Topic, int Partition)> _inTransaction = [];
    private long _producerId = -1;
    private short _epoch = -1;

    private TransactionalWriter(KafkaCluster cluster, string transactionalId)
    {
        _cluster = cluster;
        _id = transactionalId;
    }

    /// <summary>Gets a producer id and epoch for <paramref name="transactionalId"/>.</summary>
    public static async Task<TransactionalWriter> InitAsync(KafkaCluster cluster, string transactionalId)
    {
        var writer = new TransactionalWriter(cluster, transactionalId);
        InitProducerIdResponse init = await writer.AtCoordinatorAsync<InitProducerIdRequest, InitProducerIdResponse>(
            new InitProducerIdRequest { TransactionalId = transactionalId, TransactionTimeoutMs = 60_000 }, 4, r => r.ErrorCode);
        writer._producerId = init.ProducerId;
        writer._epoch = init.ProducerEpoch;
        return writer;
    }

    /// <summary>Writes <paramref name="values"/> as one transactional batch (keys null), adding the partition to the transaction first.</summary>
    public async Task WriteAsync(string topic, int partition, params string[] values)
    {
        (string, int) key = (topic, partition);
        if (_inTransaction.Add(key))
        {
            await AtCoordinatorAsync<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>(new AddPartitionsToTxnRequest
            {
                V3AndBelowTransactionalId = _id,
                V3AndBelowProducerId = _producerId,
                V3AndBelowProducerEpoch = _epoch,
                V3AndBelowTopics = [new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic { Name = topic, Partitions = [partition] }],
            }, 3, r => r.ResultsByTopicV3AndBelow.SelectMany(t => t.ResultsByPartition).Select(p => p.PartitionErrorCode).FirstOrDefault(e => e != 0));
        }
        int sequence = _sequences.GetValueOrDefault(key);
        byte[] batch;
        using (var builder = new RecordBatchBuilder { ProducerId = _producerId, ProducerEpoch = _epoch, BaseSequence = sequence, IsTransactional = true })
        {
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            foreach (string value in values) builder.Append(now, default, Encoding.UTF8.GetBytes(value), keyIsNull: true);
            batch = builder.Build().ToArray();
        }
        var request = new ProduceRequest
        {
            TransactionalId = _id,
            Acks = -1,
            TimeoutMs = 10_000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = partition, Records = batch }] }],
        };
        using (BrokerLease lease = await _cluster.AcquireLeaderAsync(topic, partition))
        {
            ProduceResponse response = await lease.Broker.SendAsync<ProduceRequest, ProduceResponse>(request, new SendOptions(MaxVersion: 9));
            Assert.Equal(ErrorCode.None, (ErrorCode)response.Responses.Single().PartitionResponses.Single().ErrorCode);
        }
        _sequences[key] = sequence + values.Length;
    }

    /// <summary>Ends the transaction with a commit: its markers follow.</summary>
    public Task CommitAsync() => EndAsync(commit: true);

    /// <summary>Ends the transaction with an abort: its markers follow.</summary>
    public Task AbortAsync() => EndAsync(commit: false);

    private async Task EndAsync(bool commit)
    {
        await AtCoordinatorAsync<EndTxnRequest, EndTxnResponse>(
            new EndTxnRequest { TransactionalId = _id, ProducerId = _producerId, ProducerEpoch = _epoch, Committed = commit }, 3, r => r.ErrorCode);
        _inTransaction.Clear();
    }

    /// <summary>Sends to the transaction coordinator until the answer is not one to retry; asserts it is no error.</summary>
    private async Task<TResponse> AtCoordinatorAsync<TRequest, TResponse>(TRequest request, short version, Func<TResponse, short> error)
        where TRequest : class, IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
    {
        TResponse? response = default;
        ErrorCode last = ErrorCode.None;
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                using BrokerLease coordinator = await _cluster.AcquireBrokerAsync(await FindCoordinatorAsync());
                response = await coordinator.Broker.SendAsync<TRequest, TResponse>(request, new SendOptions(MaxVersion: version));
                last = (ErrorCode)error(response);
                return !Again.Contains(last);
            }
            catch (KafkaException failure)
            {
                // A broker down or the coordinator moving: ask again.
                last = failure is KafkaErrorException known ? known.ErrorCode : ErrorCode.CoordinatorNotAvailable;
                return false;
            }
        }, () => $"{typeof(TRequest).Name} to be answered (last: {last})");
        Assert.Equal(ErrorCode.None, last);
        return response!;
    }

    /// <summary>The transaction coordinator's node id, asked of the brokers in turn until one answers.</summary>
    private async Task<int> FindCoordinatorAsync()
    {
        ClusterMetadata metadata = await _cluster.GetMetadataAsync();
        KafkaException? failure = null;
        foreach (int node in metadata.Brokers.Keys)
        {
            try
            {
                using BrokerLease any = await _cluster.AcquireBrokerAsync(node);
                FindCoordinatorResponse found = await any.Broker.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(
                    new FindCoordinatorRequest { Key = _id, KeyType = 1 }, new SendOptions(MaxVersion: 3));
                if (found.ErrorCode == 0) return found.NodeId;
                failure = new KafkaErrorException((ErrorCode)found.ErrorCode, "FindCoordinator", (string?)null);
            }
            catch (KafkaException unreachable)
            {
                failure = unreachable;
            }
        }
        throw failure ?? new KafkaErrorException(ErrorCode.CoordinatorNotAvailable, "FindCoordinator", (string?)null);
    }
}
