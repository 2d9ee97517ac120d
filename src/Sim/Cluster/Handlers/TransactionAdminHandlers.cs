using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Transactions;

namespace KafkaNative.Sim.Handlers;

/// <summary>DescribeTransactions (KIP-664): each id's state, answered by its coordinator.</summary>
internal static class DescribeTransactionsHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, DescribeTransactionsRequest request)
    {
        var response = new DescribeTransactionsResponse();
        foreach (string id in request.TransactionalIds)
        {
            (ErrorCode error, TransactionSnapshot? txn) = broker.Transactions.Describe(id);
            response.TransactionStates.Add(new DescribeTransactionsResponse.TransactionStateData
            {
                ErrorCode = (short)error,
                TransactionalId = id,
                TransactionState = txn?.State.ToString() ?? "",
                TransactionTimeoutMs = txn?.TimeoutMs ?? 0,
                TransactionStartTimeMs = txn?.StartTimeMs ?? -1,
                ProducerId = txn?.ProducerId ?? -1,
                ProducerEpoch = txn?.ProducerEpoch ?? -1,
                Topics = txn?.Partitions.GroupBy(p => p.Topic, StringComparer.Ordinal)
                    .Select(t => new DescribeTransactionsResponse.TopicData { Topic = t.Key, Partitions = t.Select(p => p.Partition).Order().ToList() })
                    .ToList() ?? [],
            });
        }
        context.Respond(response);
    }

    public static DescribeTransactionsResponse Error(DescribeTransactionsRequest request, ErrorCode error, short version) => new()
    {
        TransactionStates = request.TransactionalIds.Select(id => new DescribeTransactionsResponse.TransactionStateData
        {
            ErrorCode = (short)error,
            TransactionalId = id,
            TransactionState = "",
            TransactionStartTimeMs = -1,
            ProducerId = -1,
            ProducerEpoch = -1,
        }).ToList(),
    };
}

/// <summary>ListTransactions (KIP-664): the ids this broker coordinates, filtered by state, producer id and (v1+) running time.</summary>
internal static class ListTransactionsHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, ListTransactionsRequest request)
    {
        // Kafka's state names include two the Sim never enters.
        var known = new HashSet<string>([.. Enum.GetNames<TransactionState>(), "Dead", "PrepareEpochFence"], StringComparer.Ordinal);
        var response = new ListTransactionsResponse { UnknownStateFilters = request.StateFilters.Where(s => !known.Contains(s)).ToList() };
        foreach (TransactionSnapshot txn in broker.Transactions.Current())
        {
            if (request.StateFilters.Count > 0 && !request.StateFilters.Contains(txn.State.ToString())) continue;
            if (request.ProducerIdFilters.Count > 0 && !request.ProducerIdFilters.Contains(txn.ProducerId)) continue;
            if (context.ApiVersion >= 1 && request.DurationFilter >= 0 && txn.RunningMs < request.DurationFilter) continue;
            response.TransactionStates.Add(new ListTransactionsResponse.TransactionStateData
            {
                TransactionalId = txn.TransactionalId,
                ProducerId = txn.ProducerId,
                TransactionState = txn.State.ToString(),
            });
        }
        context.Respond(response);
    }

    public static ListTransactionsResponse Error(ListTransactionsRequest request, ErrorCode error, short version) => new() { ErrorCode = (short)error };
}
