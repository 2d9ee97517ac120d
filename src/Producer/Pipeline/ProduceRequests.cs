using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Producer.Pipeline;

/// <summary>A Produce request from sealed batches, and the sorting of its response back to them.</summary>
internal static class ProduceRequests
{
    public static ProduceRequest Build(ProducerOptions options, ProducerBatch[] batches)
    {
        var request = new ProduceRequest
        {
            Acks = (short)options.Acks,
            TransactionalId = options.TransactionalId,
            TimeoutMs = (int)Math.Min(int.MaxValue, options.RequestTimeout.TotalMilliseconds),
        };
        foreach (ProducerBatch batch in batches)
        {
            ProduceRequest.TopicProduceData? topic = null;
            foreach (ProduceRequest.TopicProduceData existing in request.TopicData)
                if (existing.Name == batch.Partition.Topic) topic = existing;
            if (topic is null)
            {
                topic = new ProduceRequest.TopicProduceData { Name = batch.Partition.Topic };
                request.TopicData.Add(topic);
            }
            topic.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = batch.Partition.Partition, Records = batch.Encoded });
        }
        return request;
    }

    /// <summary>
    /// Reports the batches that were written and hands the others back to their partition producers. A
    /// NOT_LEADER_OR_FOLLOWER that names a newer leader (KIP-951: CurrentLeader, and its endpoint in NodeEndpoints)
    /// updates the cluster's cache, and the batch goes back marked so that its retry needs no Metadata request.
    /// </summary>
    public static void Settle(KafkaCluster cluster, ProducerBatch[] batches, ProduceResponse response, int nodeId)
    {
        foreach (ProducerBatch batch in batches)
        {
            ProduceResponse.PartitionProduceResponse? result = Find(response, batch.Partition);
            var error = result is null ? ErrorCode.UnknownServerError : (ErrorCode)result.ErrorCode;
            switch (error)
            {
                case ErrorCode.None:
                    batch.LeaveTransit();
                    batch.Succeed(result!.BaseOffset, result.LogAppendTimeMs);
                    break;
                case ErrorCode.DuplicateSequenceNumber:
                    // The broker already has this batch: written, at an offset it no longer tells.
                    batch.LeaveTransit();
                    batch.Succeed(-1, -1);
                    break;
                default:
                    // Appended on the leader, not yet replicated: a retry must be recognised as a duplicate.
                    if (error is ErrorCode.RequestTimedOut or ErrorCode.NotEnoughReplicasAfterAppend) batch.MayBeWritten = true;
                    string context = $"Produce to {batch.Partition} on broker {nodeId}";
                    bool hinted = error == ErrorCode.NotLeaderOrFollower && result is not null && ApplyLeaderHint(cluster, batch.Partition, result, response, nodeId);
                    BrokerProducer.HandBack(batch, result is null
                        ? new KafkaErrorException(error, $"{context}: the response left the partition out")
                        : new KafkaErrorException(error, context, result.ErrorMessage), hinted);
                    break;
            }
        }
    }

    private static bool ApplyLeaderHint(KafkaCluster cluster, PartitionState partition, ProduceResponse.PartitionProduceResponse result, ProduceResponse response, int nodeId)
    {
        int leader = result.CurrentLeader.LeaderId;
        if (leader < 0) return false;
        BrokerEndpoint? endpoint = null;
        foreach (ProduceResponse.NodeEndpoint node in response.NodeEndpoints)
            if (node.NodeId == leader) endpoint = new BrokerEndpoint(node.Host, node.Port);
        return cluster.TryApplyLeaderHint(partition.Topic, partition.Partition, leader, result.CurrentLeader.LeaderEpoch, endpoint, nodeId);
    }

    private static ProduceResponse.PartitionProduceResponse? Find(ProduceResponse response, PartitionState partition)
    {
        foreach (ProduceResponse.TopicProduceResponse topic in response.Responses)
        {
            if (topic.Name != partition.Topic) continue;
            foreach (ProduceResponse.PartitionProduceResponse p in topic.PartitionResponses)
                if (p.Index == partition.Partition) return p;
        }
        return null;
    }
}
