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
/// slices, never copied into new buffers. Fetch sessions (KIP-227, see <see cref="FetchPlan"/>): a
/// fetch reads its session's partitions, and an incremental one answers only those with news.
/// </summary>
internal static class FetchHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, FetchRequest request)
    {
        FetchPlan? plan = FetchPlan.Create(broker, context.ApiVersion, request, out ErrorCode sessionError);
        if (plan is null)
        {
            context.Respond(new FetchResponse { ErrorCode = (short)sessionError });
            return;
        }
        var delayed = new DelayedFetch(context, request, broker.Cluster.NowMs + Math.Max(0, request.MaxWaitMs), plan);
        if (request.MaxWaitMs <= 0 || plan.Partitions.Count == 0 || IsSatisfied(broker, delayed))
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
        short version = fetch.Context.ApiVersion;
        foreach (SessionPartition partition in fetch.Plan.Partitions)
        {
            string? topic = TopicName(broker, partition, version);
            PartitionReplica? replica = topic is null ? null : broker.Replicas.Get(new TopicAndPartition(topic, partition.Partition));
            if (Check(replica, partition, topicKnown: true) != ErrorCode.None || Diverges(replica!, partition) is not null) return true;
            available += replica!.Log.BytesAvailable(partition.FetchOffset, ReadableEnd(replica, fetch.Request), wanted - available);
            if (available >= wanted) return true;
        }
        return false;
    }

    public static FetchResponse Build(SimulatedBroker broker, DelayedFetch fetch)
    {
        FetchRequest request = fetch.Request;
        FetchPlan plan = fetch.Plan;
        short version = fetch.Context.ApiVersion;
        var response = new FetchResponse { SessionId = plan.Session?.Id ?? 0 };
        long remaining = version >= 3 ? request.MaxBytes : int.MaxValue;
        bool anyRecords = false;
        FetchResponse.FetchableTopicResponse? topicResponse = null;
        foreach (SessionPartition partition in plan.Partitions)
        {
            string? name = TopicName(broker, partition, version);
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
            ErrorCode error = name is null
                ? (version >= 13 ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition)
                : Check(replica, partition, broker.Cluster.Controller.Topic(name) is not null);
            data.ErrorCode = (short)error;
            if (error != ErrorCode.None && name is not null) LeaderHints.Fill(broker, response, data, name, version);
            if (error == ErrorCode.None)
            {
                data.HighWatermark = replica!.HighWatermark;
                data.LastStableOffset = replica.LastStableOffset;
                data.LogStartOffset = replica.Log.LogStartOffset;
                if (version >= 12 && Diverges(replica, partition) is var (divergingEpoch, divergingEnd))
                {
                    // KIP-595: the fetcher's last epoch ends before its fetch offset here: no records, only where to truncate to.
                    data.DivergingEpoch = new FetchResponse.EpochEndOffset { Epoch = divergingEpoch, EndOffset = divergingEnd };
                }
                else if (remaining > 0)
                {
                    int limit = (int)Math.Min(partition.MaxBytes, remaining);
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
            if (!plan.Include(partition, data)) continue;
            if (topicResponse is null || topicResponse.TopicId != partition.TopicId || (version < 13 && topicResponse.Topic != partition.Topic))
            {
                topicResponse = new FetchResponse.FetchableTopicResponse { Topic = name ?? partition.Topic, TopicId = partition.TopicId };
                response.Responses.Add(topicResponse);
            }
            topicResponse.Partitions.Add(data);
        }
        return response;
    }

    /// <summary>The partition's topic name: by id at v13+ (null when no topic has it), else as the request named it.</summary>
    private static string? TopicName(SimulatedBroker broker, SessionPartition partition, short version) =>
        version >= 13 ? broker.Cluster.Controller.Topic(partition.TopicId)?.Name : partition.Topic;

    /// <summary>read_committed (isolation level 1) reads up to the last stable offset, read_uncommitted up to the high watermark.</summary>
    private static long ReadableEnd(PartitionReplica replica, FetchRequest request) =>
        request.IsolationLevel == 1 ? replica.LastStableOffset : replica.HighWatermark;

    /// <summary>
    /// Kafka's divergence check for a fetch that names its last fetched epoch (v12+): the epoch and end offset
    /// to truncate to when that epoch, here, ends before the fetch offset or is older than the epoch the
    /// fetcher last saw; null when the fetch is consistent with this log.
    /// </summary>
    private static (int Epoch, long EndOffset)? Diverges(PartitionReplica replica, SessionPartition partition)
    {
        if (partition.LastFetchedEpoch < 0) return null;
        (int epoch, long endOffset) = replica.Log.EndOffsetForEpoch(partition.LastFetchedEpoch);
        if (epoch < 0 || endOffset < 0) return null;
        return epoch < partition.LastFetchedEpoch || endOffset < partition.FetchOffset ? (epoch, endOffset) : null;
    }

    private static ErrorCode Check(PartitionReplica? replica, SessionPartition partition, bool topicKnown)
    {
        if (replica is null) return topicKnown ? ErrorCode.NotLeaderOrFollower : ErrorCode.UnknownTopicOrPartition;
        if (!replica.IsLeader) return ErrorCode.NotLeaderOrFollower;
        ErrorCode fenced = OffsetForLeaderEpochHandler.CheckCurrentLeaderEpoch(partition.CurrentLeaderEpoch, replica.LeaderEpoch);
        if (fenced != ErrorCode.None) return fenced;
        // Past the log end is out of range unless the fetcher's last epoch diverged here (then DivergingEpoch says where to go);
        // so is a last fetched epoch this log has no end for, as Kafka answers.
        if (partition.FetchOffset < replica.Log.LogStartOffset) return ErrorCode.OffsetOutOfRange;
        if (partition.LastFetchedEpoch >= 0 && replica.Log.EndOffsetForEpoch(partition.LastFetchedEpoch).EndOffset < 0) return ErrorCode.OffsetOutOfRange;
        if (partition.FetchOffset > replica.Log.LogEndOffset && Diverges(replica, partition) is null) return ErrorCode.OffsetOutOfRange;
        return ErrorCode.None;
    }
}
