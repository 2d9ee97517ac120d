using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Replication;

namespace KafkaNative.Sim.Handlers;

/// <summary>DeleteRecords: moves a partition's log start forward (offset -1 means the high watermark); followers follow.</summary>
internal static class DeleteRecordsHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, DeleteRecordsRequest request)
    {
        var response = new DeleteRecordsResponse();
        foreach (DeleteRecordsRequest.DeleteRecordsTopic topic in request.Topics)
        {
            var topicResult = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = topic.Name };
            response.Topics.Add(topicResult);
            foreach (DeleteRecordsRequest.DeleteRecordsPartition partition in topic.Partitions)
            {
                var result = new DeleteRecordsResponse.DeleteRecordsPartitionResult { PartitionIndex = partition.PartitionIndex, LowWatermark = -1 };
                topicResult.Partitions.Add(result);
                PartitionReplica? replica = broker.Replicas.Get(new TopicAndPartition(topic.Name, partition.PartitionIndex));
                if (replica is null || !replica.IsLeader)
                {
                    result.ErrorCode = (short)(replica is null && broker.Cluster.Controller.Topic(topic.Name) is null ? ErrorCode.UnknownTopicOrPartition : ErrorCode.NotLeaderOrFollower);
                    continue;
                }
                long offset = partition.Offset == -1 ? replica.HighWatermark : partition.Offset;
                if (offset < 0 || offset > replica.HighWatermark)
                {
                    result.ErrorCode = (short)ErrorCode.OffsetOutOfRange;
                    continue;
                }
                broker.Replicas.AdvanceLogStart(replica, offset);
                result.LowWatermark = replica.Log.LogStartOffset;
            }
        }
        context.Respond(response);
    }

    public static DeleteRecordsResponse Error(DeleteRecordsRequest request, ErrorCode error, short version) => new()
    {
        Topics = request.Topics.Select(t => new DeleteRecordsResponse.DeleteRecordsTopicResult
        {
            Name = t.Name,
            Partitions = t.Partitions.Select(p => new DeleteRecordsResponse.DeleteRecordsPartitionResult { PartitionIndex = p.PartitionIndex, LowWatermark = -1, ErrorCode = (short)error }).ToList(),
        }).ToList(),
    };
}
