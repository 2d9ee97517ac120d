using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Log;
using KafkaNative.Sim.Replication;

namespace KafkaNative.Sim.Handlers;

/// <summary>
/// Fetch: reads committed data (below the high watermark; for read_committed below the last stable
/// offset, with the aborted transactions of that range) from partitions this broker leads. The
/// answer waits up to max wait for min bytes (long poll); partition and response max bytes bound it,
/// except that the first batch found is always returned whole (KIP-74). Records go out as stored
/// slices, never copied into new buffers. No incremental fetch sessions: every fetch is a full one
/// and the session id returned is 0, which clients accept.
/// </summary>
internal static class FetchHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, FetchRequest request)
    {
        if (context.ApiVersion >= 7 && (request.SessionId != 0 || request.SessionEpoch > 0))
        {
            context.Respond(new FetchResponse { ErrorCode = (short)(request.SessionId != 0 ? ErrorCode.FetchSessionIdNotFound : ErrorCode.InvalidFetchSessionEpoch) });
            return;
        }
        var delayed = new DelayedFetch(context, request, broker.Cluster.NowMs + Math.Max(0, request.MaxWaitMs));
        if (request.MaxWaitMs <= 0 || IsSatisfied(broker, delayed))
        {
            context.Respond(Build(broker, delayed));
            return;
        }
        broker.Fetches.Add(delayed);
    }

    public static FetchResponse Error(FetchRequest request, ErrorCode error, short version) => new()
    {
        ErrorCode = (short)error,
        Responses = request.Topics.Select(t => new FetchResponse.FetchableTopicResponse
        {
            Topic = t.Topic,
            TopicId = t.TopicId,
            Partitions = t.Partitions.Select(p => new FetchResponse.PartitionData
            {
                PartitionIndex = p.Partition,
                ErrorCode = (short)error,
                HighWatermark = -1,
                Records = ReadOnlyMemory<byte>.Empty,
            }).ToList(),
        }).ToList(),
    };

    /// <summary>True when the fetch can answer now: enough bytes, or a partition error to report.</summary>
    public static bool IsSatisfied(SimulatedBroker broker, DelayedFetch fetch)
    {
        long wanted = Math.Max(1, fetch.Request.MinBytes);
        long available = 0;
        foreach ((string topic, FetchRequest.FetchPartition partition) in Partitions(broker, fetch))
        {
            PartitionReplica? replica = topic.Length == 0 ? null : broker.Replicas.Get(new TopicAndPartition(topic, partition.Partition));
            if (Check(replica, partition, topicKnown: true) != ErrorCode.None) return true;
            available += replica!.Log.BytesAvailable(partition.FetchOffset, ReadableEnd(replica, fetch.Request), wanted - available);
            if (available >= wanted) return true;
        }
        return false;
    }

    public static FetchResponse Build(SimulatedBroker broker, DelayedFetch fetch)
    {
        FetchRequest request = fetch.Request;
        short version = fetch.Context.ApiVersion;
        var response = new FetchResponse();
        long remaining = version >= 3 ? request.MaxBytes : int.MaxValue;
        bool anyRecords = false;
        foreach (FetchRequest.FetchTopic wanted in request.Topics)
        {
            string? name = version >= 13 ? broker.Cluster.Controller.Topic(wanted.TopicId)?.Name : wanted.Topic;
            var topicResponse = new FetchResponse.FetchableTopicResponse { Topic = wanted.Topic, TopicId = wanted.TopicId };
            response.Responses.Add(topicResponse);
            foreach (FetchRequest.FetchPartition partition in wanted.Partitions)
            {
                PartitionReplica? replica = name is null ? null : broker.Replicas.Get(new TopicAndPartition(name, partition.Partition));
                var data = new FetchResponse.PartitionData
                {
                    PartitionIndex = partition.Partition,
                    HighWatermark = -1,
                    LastStableOffset = -1,
                    LogStartOffset = -1,
                    AbortedTransactions = request.IsolationLevel == 0 ? null : [],
                    Records = ReadOnlyMemory<byte>.Empty,
                };
                topicResponse.Partitions.Add(data);
                ErrorCode error = name is null
                    ? (version >= 13 ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition)
                    : Check(replica, partition, broker.Cluster.Controller.Topic(name) is not null);
                data.ErrorCode = (short)error;
                if (error != ErrorCode.None) continue;

                data.HighWatermark = replica!.HighWatermark;
                data.LastStableOffset = replica.LastStableOffset;
                data.LogStartOffset = replica.Log.LogStartOffset;
                if (remaining <= 0) continue;
                int limit = (int)Math.Min(partition.PartitionMaxBytes, remaining);
                long end = ReadableEnd(replica, request);
                ReadOnlyMemory<byte> records = replica.Log.Read(partition.FetchOffset, end, limit, atLeastOne: !anyRecords);
                if (data.AbortedTransactions is { } aborted)
                {
                    foreach (AbortedTransaction abort in replica.Producers.Transactions.AbortedIn(partition.FetchOffset, end))
                        aborted.Add(new FetchResponse.AbortedTransaction { ProducerId = abort.ProducerId, FirstOffset = abort.FirstOffset });
                }
                data.Records = records;
                remaining -= records.Length;
                anyRecords |= records.Length > 0;
            }
        }
        return response;
    }

    /// <summary>read_committed (isolation level 1) reads up to the last stable offset, read_uncommitted up to the high watermark.</summary>
    private static long ReadableEnd(PartitionReplica replica, FetchRequest request) =>
        request.IsolationLevel == 1 ? replica.LastStableOffset : replica.HighWatermark;

    private static ErrorCode Check(PartitionReplica? replica, FetchRequest.FetchPartition partition, bool topicKnown)
    {
        if (replica is null) return topicKnown ? ErrorCode.NotLeaderOrFollower : ErrorCode.UnknownTopicOrPartition;
        if (!replica.IsLeader) return ErrorCode.NotLeaderOrFollower;
        if (partition.CurrentLeaderEpoch >= 0)
        {
            if (partition.CurrentLeaderEpoch < replica.LeaderEpoch) return ErrorCode.FencedLeaderEpoch;
            if (partition.CurrentLeaderEpoch > replica.LeaderEpoch) return ErrorCode.UnknownLeaderEpoch;
        }
        if (partition.FetchOffset < replica.Log.LogStartOffset || partition.FetchOffset > replica.Log.LogEndOffset) return ErrorCode.OffsetOutOfRange;
        return ErrorCode.None;
    }

    private static IEnumerable<(string Topic, FetchRequest.FetchPartition Partition)> Partitions(SimulatedBroker broker, DelayedFetch fetch)
    {
        foreach (FetchRequest.FetchTopic topic in fetch.Request.Topics)
        {
            string name = fetch.Context.ApiVersion >= 13 ? broker.Cluster.Controller.Topic(topic.TopicId)?.Name ?? "" : topic.Topic;
            foreach (FetchRequest.FetchPartition partition in topic.Partitions) yield return (name, partition);
        }
    }
}
