using KafkaNative.Client;
using KafkaNative.Producer.Pipeline;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Producer.Transactions;

/// <summary>
/// The requests a transactional producer sends to its transaction coordinator (and, for offsets, to
/// the group's coordinator), each retried while the error is one that passes: the coordinator moved or
/// is loading (found again), CONCURRENT_TRANSACTIONS (the previous transaction's markers are still
/// being written), lost connections and timeouts. Retries stop at the transaction timeout; any other
/// error is returned for the transaction manager to classify.
/// </summary>
internal sealed class TransactionCoordinatorClient(ProducerContext context, string transactionalId) : IDisposable
{
    private readonly CoordinatorBroker _coordinator = new(context.Cluster, transactionalId, CoordinatorType.Transaction);

    public string TransactionalId => transactionalId;

    /// <summary>InitProducerId with the transactional id; with <paramref name="bumpFrom"/>, bumps that identity's epoch (KIP-360).</summary>
    public async Task<ProducerIdentity> InitProducerIdAsync(ProducerIdentity? bumpFrom, CancellationToken cancellationToken)
    {
        var request = new InitProducerIdRequest
        {
            TransactionalId = transactionalId,
            TransactionTimeoutMs = (int)context.Options.TransactionTimeout.TotalMilliseconds,
            ProducerId = bumpFrom?.ProducerId ?? Sentinels.NoProducerId,
            ProducerEpoch = bumpFrom?.Epoch ?? Sentinels.NoProducerEpoch,
        };
        InitProducerIdResponse response = await RetryAsync("InitProducerId", (coordinator, token) =>
            coordinator.SendAsync<InitProducerIdRequest, InitProducerIdResponse>(request, static r => (ErrorCode)r.ErrorCode, default, token),
            static r => (ErrorCode)r.ErrorCode, cancellationToken).ConfigureAwait(false);
        return new ProducerIdentity(response.ProducerId, response.ProducerEpoch);
    }

    /// <summary>AddPartitionsToTxn (v3 at most: later versions are for brokers); the first partition error other than OPERATION_NOT_ATTEMPTED decides.</summary>
    public Task AddPartitionsAsync(ProducerIdentity identity, IReadOnlyCollection<PartitionState> partitions, CancellationToken cancellationToken)
    {
        var request = new AddPartitionsToTxnRequest
        {
            V3AndBelowTransactionalId = transactionalId,
            V3AndBelowProducerId = identity.ProducerId,
            V3AndBelowProducerEpoch = identity.Epoch,
        };
        foreach (IGrouping<string, PartitionState> topic in partitions.GroupBy(p => p.Topic))
            request.V3AndBelowTopics.Add(new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic { Name = topic.Key, Partitions = [.. topic.Select(p => p.Partition)] });
        return RetryAsync("AddPartitionsToTxn", (coordinator, token) =>
            coordinator.SendAsync<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>(request, FirstPartitionError, new SendOptions(MaxVersion: 3), token),
            FirstPartitionError, cancellationToken);
    }

    /// <summary>AddOffsetsToTxn: the group's offsets will commit or abort with the transaction.</summary>
    public Task AddOffsetsAsync(ProducerIdentity identity, string groupId, CancellationToken cancellationToken)
    {
        var request = new AddOffsetsToTxnRequest { TransactionalId = transactionalId, ProducerId = identity.ProducerId, ProducerEpoch = identity.Epoch, GroupId = groupId };
        return RetryAsync("AddOffsetsToTxn", (coordinator, token) =>
            coordinator.SendAsync<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>(request, static r => (ErrorCode)r.ErrorCode, default, token),
            static r => (ErrorCode)r.ErrorCode, cancellationToken);
    }

    /// <summary>TxnOffsetCommit to the group's coordinator, with the member's generation so a fenced member's offsets are refused (KIP-447).</summary>
    public async Task CommitOffsetsAsync(ProducerIdentity identity, IReadOnlyCollection<TopicPartitionOffset> offsets, ConsumerGroupMetadata group, CancellationToken cancellationToken)
    {
        var request = new TxnOffsetCommitRequest
        {
            TransactionalId = transactionalId,
            GroupId = group.GroupId,
            ProducerId = identity.ProducerId,
            ProducerEpoch = identity.Epoch,
            GenerationId = group.GenerationId,
            MemberId = group.MemberId,
            GroupInstanceId = group.GroupInstanceId,
        };
        foreach (IGrouping<string, TopicPartitionOffset> topic in offsets.GroupBy(o => o.Topic))
        {
            request.Topics.Add(new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic
            {
                Name = topic.Key,
                Partitions = [.. topic.Select(o => new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition { PartitionIndex = o.Partition, CommittedOffset = o.Offset })],
            });
        }
        // Older brokers cannot check the generation; the offsets still commit with the transaction.
        bool hasGroupFields = group.GenerationId >= 0 || group.MemberId.Length > 0;
        using var groupCoordinator = new CoordinatorBroker(context.Cluster, group.GroupId);
        await RetryAsync("TxnOffsetCommit", (_, token) =>
            groupCoordinator.SendAsync<TxnOffsetCommitRequest, TxnOffsetCommitResponse>(version =>
            {
                if (version < 3 && hasGroupFields)
                {
                    request.GenerationId = -1;
                    request.MemberId = "";
                    request.GroupInstanceId = null;
                }
                return request;
            }, FirstOffsetError, token),
            FirstOffsetError, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// EndTxn: commit or abort. Repeating an end the coordinator already completed succeeds, so a retry after a lost
    /// answer is safe. Where the cluster runs Transactions V2 (<c>transaction.version</c> 2 and EndTxn v5, KIP-890) the
    /// coordinator bumps the epoch at the end and this returns the new identity; otherwise null.
    /// </summary>
    public async Task<ProducerIdentity?> EndAsync(ProducerIdentity identity, bool commit, CancellationToken cancellationToken)
    {
        var request = new EndTxnRequest { TransactionalId = transactionalId, ProducerId = identity.ProducerId, ProducerEpoch = identity.Epoch, Committed = commit };
        // v5 is negotiated only with a coordinator whose cluster finalized transaction.version 2 (ClientApiVersions.FeatureUnlocks).
        EndTxnResponse response = await RetryAsync(commit ? "EndTxn(commit)" : "EndTxn(abort)", (coordinator, token) =>
            coordinator.SendAsync<EndTxnRequest, EndTxnResponse>(request, static r => (ErrorCode)r.ErrorCode, default, token),
            static r => (ErrorCode)r.ErrorCode, cancellationToken).ConfigureAwait(false);
        return response.ProducerId >= 0 && response.ProducerEpoch >= 0 ? new ProducerIdentity(response.ProducerId, response.ProducerEpoch) : null;
    }

    public void Dispose() => _coordinator.Dispose();

    private static ErrorCode FirstPartitionError(AddPartitionsToTxnResponse response)
    {
        if (response.ErrorCode != 0) return (ErrorCode)response.ErrorCode;
        ErrorCode found = ErrorCode.None;
        foreach (AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult topic in response.ResultsByTopicV3AndBelow)
        {
            foreach (AddPartitionsToTxnResponse.AddPartitionsToTxnPartitionResult partition in topic.ResultsByPartition)
            {
                var error = (ErrorCode)partition.PartitionErrorCode;
                if (error == ErrorCode.None) continue;
                if (error != ErrorCode.OperationNotAttempted) return error;
                found = error;
            }
        }
        return found;
    }

    private static ErrorCode FirstOffsetError(TxnOffsetCommitResponse response)
    {
        foreach (TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic topic in response.Topics)
            foreach (TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition partition in topic.Partitions)
                if (partition.ErrorCode != 0) return (ErrorCode)partition.ErrorCode;
        return ErrorCode.None;
    }

    private async Task<TResponse> RetryAsync<TResponse>(string what, Func<CoordinatorBroker, CancellationToken, Task<TResponse>> send, Func<TResponse, ErrorCode> error, CancellationToken cancellationToken)
    {
        long deadline = context.Now + (long)context.Options.TransactionTimeout.TotalMilliseconds;
        for (int attempt = 0; ; attempt++)
        {
            Exception? failure;
            try
            {
                TResponse response = await send(_coordinator, cancellationToken).ConfigureAwait(false);
                ErrorCode code = error(response);
                if (code == ErrorCode.None) return response;
                if (!IsPassing(code)) throw new KafkaErrorException(code, $"{what} for transactional id {transactionalId}", (string?)null);
                failure = new KafkaErrorException(code, $"{what} for transactional id {transactionalId}", (string?)null);
            }
            catch (KafkaErrorException exception) when (exception is KafkaConnectionException or KafkaTimeoutException)
            {
                failure = exception;
            }
            if (context.Now >= deadline)
                throw new KafkaTimeoutException($"{what} for transactional id {transactionalId} did not succeed within the transaction timeout ({context.Options.TransactionTimeout}): {failure.Message}", failure);
            context.Logger.LogDebug(failure, "{Request} attempt {Attempt} failed; retrying", what, attempt);
            // CONCURRENT_TRANSACTIONS clears as soon as the markers are written: come back soon.
            TimeSpan delay = failure is KafkaErrorException { ErrorCode: ErrorCode.ConcurrentTransactions } && attempt < 5
                ? TimeSpan.FromMilliseconds(20)
                : context.Backoff.Delay(attempt);
            await Task.Delay(delay, context.Time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Errors that pass on their own: the same request, sent again (to a coordinator found again), may succeed.</summary>
    private static bool IsPassing(ErrorCode code) =>
        CoordinatorBroker.IsCoordinatorError(code) || code == ErrorCode.ConcurrentTransactions || code.IsRetriable();
}
