using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Replication;

namespace KafkaNative.Sim.Handlers;

/// <summary>
/// ListOffsets: earliest (-2), latest (-1, the high watermark, or the last stable offset for read_committed), max timestamp (-3, v7+), earliest
/// local (-4, v8+), latest tiered (-5, v9+: none here) and by timestamp (the first record at or after it).
/// </summary>
internal static class ListOffsetsHandler
{
    private const long Latest = -1;
    private const long Earliest = -2;
    private const long MaxTimestamp = -3;
    private const long EarliestLocal = -4;
    private const long LatestTiered = -5;

    public static void Handle(SimulatedBroker broker, RequestContext context, ListOffsetsRequest request)
    {
        var response = new ListOffsetsResponse();
        foreach (ListOffsetsRequest.ListOffsetsTopic topic in request.Topics)
        {
            var topicResponse = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = topic.Name };
            response.Topics.Add(topicResponse);
            bool topicKnown = broker.Cluster.Controller.Topic(topic.Name) is not null;
            foreach (ListOffsetsRequest.ListOffsetsPartition partition in topic.Partitions)
            {
                topicResponse.Partitions.Add(Lookup(broker.Replicas.Get(new TopicAndPartition(topic.Name, partition.PartitionIndex)), partition, topicKnown,
                    context.ApiVersion, readCommitted: context.ApiVersion >= 2 && request.IsolationLevel == 1));
            }
        }
        context.Respond(response);
    }

    public static ListOffsetsResponse Error(ListOffsetsRequest request, ErrorCode error, short version) => new()
    {
        Topics = request.Topics.Select(t => new ListOffsetsResponse.ListOffsetsTopicResponse
        {
            Name = t.Name,
            Partitions = t.Partitions.Select(p => new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = p.PartitionIndex, ErrorCode = (short)error }).ToList(),
        }).ToList(),
    };

    private static ListOffsetsResponse.ListOffsetsPartitionResponse Lookup(PartitionReplica? replica, ListOffsetsRequest.ListOffsetsPartition partition, bool topicKnown, short version, bool readCommitted)
    {
        var result = new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = partition.PartitionIndex, Offset = -1, Timestamp = -1 };
        ErrorCode error = replica is null ? (topicKnown ? ErrorCode.NotLeaderOrFollower : ErrorCode.UnknownTopicOrPartition)
            : !replica.IsLeader ? ErrorCode.NotLeaderOrFollower
            : OffsetForLeaderEpochHandler.CheckCurrentLeaderEpoch(partition.CurrentLeaderEpoch, replica.LeaderEpoch);
        result.ErrorCode = (short)error;
        if (error != ErrorCode.None) return result;

        // read_committed sees the log up to the last stable offset only.
        long highWatermark = readCommitted ? replica!.LastStableOffset : replica!.HighWatermark;
        if (version >= 4) result.LeaderEpoch = replica.LeaderEpoch;
        switch (partition.Timestamp)
        {
            case Latest:
                result.Offset = highWatermark;
                break;
            case Earliest:
            case EarliestLocal when version >= 8:
                result.Offset = replica.Log.LogStartOffset;
                break;
            case MaxTimestamp when version >= 7:
                if (replica.Log.MaxTimestampRecord(highWatermark) is var (offset, timestamp))
                {
                    result.Offset = offset;
                    result.Timestamp = timestamp;
                }
                break;
            case LatestTiered when version >= 9:
                break;
            case >= 0:
                if (replica.Log.OffsetForTimestamp(partition.Timestamp, highWatermark) is var (found, foundTimestamp))
                {
                    result.Offset = found;
                    result.Timestamp = foundTimestamp;
                }
                break;
            default:
                result.ErrorCode = (short)ErrorCode.InvalidRequest;
                break;
        }
        return result;
    }
}
