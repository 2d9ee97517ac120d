using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Replication;

namespace KafkaNative.Sim.Handlers;

/// <summary>
/// OffsetForLeaderEpoch (KIP-101, KIP-320): where a leader epoch ends in the leader's log, from its
/// leader-epoch history: the largest epoch at most the one asked for and the start of the next larger
/// epoch, or the log end for the current epoch; UNDEFINED (-1, -1) for an epoch newer than any known.
/// Consumers use it to validate their position after a leader change; a position past the end offset
/// was truncated. CurrentLeaderEpoch fences stale callers (FENCED_LEADER_EPOCH) and callers ahead of
/// this broker (UNKNOWN_LEADER_EPOCH). Only the leader answers clients; a broker id in ReplicaId (v3+)
/// may ask any replica, as Kafka's followers do.
/// </summary>
internal static class OffsetForLeaderEpochHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, OffsetForLeaderEpochRequest request)
    {
        var response = new OffsetForLeaderEpochResponse();
        bool fromReplica = context.ApiVersion >= 3 && request.ReplicaId >= 0;
        foreach (OffsetForLeaderEpochRequest.OffsetForLeaderTopic topic in request.Topics)
        {
            var topicResult = new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult { Topic = topic.Topic };
            response.Topics.Add(topicResult);
            bool topicKnown = broker.Cluster.Controller.Topic(topic.Topic) is not null;
            foreach (OffsetForLeaderEpochRequest.OffsetForLeaderPartition partition in topic.Partitions)
            {
                PartitionReplica? replica = broker.Replicas.Get(new TopicAndPartition(topic.Topic, partition.Partition));
                topicResult.Partitions.Add(Lookup(replica, partition, topicKnown, fromReplica));
            }
        }
        context.Respond(response);
    }

    public static OffsetForLeaderEpochResponse Error(OffsetForLeaderEpochRequest request, ErrorCode error, short version) => new()
    {
        Topics = request.Topics.Select(t => new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult
        {
            Topic = t.Topic,
            Partitions = t.Partitions.Select(p => new OffsetForLeaderEpochResponse.EpochEndOffset { Partition = p.Partition, ErrorCode = (short)error }).ToList(),
        }).ToList(),
    };

    private static OffsetForLeaderEpochResponse.EpochEndOffset Lookup(PartitionReplica? replica, OffsetForLeaderEpochRequest.OffsetForLeaderPartition partition, bool topicKnown, bool fromReplica)
    {
        var result = new OffsetForLeaderEpochResponse.EpochEndOffset { Partition = partition.Partition, LeaderEpoch = -1, EndOffset = -1 };
        ErrorCode error = replica is null ? (topicKnown ? ErrorCode.NotLeaderOrFollower : ErrorCode.UnknownTopicOrPartition)
            : !replica.IsLeader && !fromReplica ? ErrorCode.NotLeaderOrFollower
            : CheckCurrentLeaderEpoch(partition.CurrentLeaderEpoch, replica.LeaderEpoch);
        result.ErrorCode = (short)error;
        if (error != ErrorCode.None) return result;
        (result.LeaderEpoch, result.EndOffset) = replica!.Log.EndOffsetForEpoch(partition.LeaderEpoch);
        return result;
    }

    /// <summary>
    /// KIP-320's fencing, shared by Fetch, ListOffsets and OffsetForLeaderEpoch: a caller's epoch (-1 for none)
    /// older than this replica's is FENCED_LEADER_EPOCH, a newer one UNKNOWN_LEADER_EPOCH (this broker has not heard yet).
    /// </summary>
    public static ErrorCode CheckCurrentLeaderEpoch(int callerEpoch, int replicaEpoch) =>
        callerEpoch < 0 ? ErrorCode.None
        : callerEpoch < replicaEpoch ? ErrorCode.FencedLeaderEpoch
        : callerEpoch > replicaEpoch ? ErrorCode.UnknownLeaderEpoch
        : ErrorCode.None;
}
