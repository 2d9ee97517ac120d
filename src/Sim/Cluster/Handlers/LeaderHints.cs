using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Replication;

namespace KafkaNative.Sim.Handlers;

/// <summary>
/// KIP-951's leader hints, filled as Kafka 3.7+ fills them (<c>KafkaApis.getCurrentLeader</c>): a Produce
/// partition answered NOT_LEADER_OR_FOLLOWER (v10+), or a Fetch partition answered NOT_LEADER_OR_FOLLOWER or
/// FENCED_LEADER_EPOCH (v16+; Kafka fills neither field below v16 although CurrentLeader exists from v12),
/// carries the leader and leader epoch this broker knows of (its own replica's view, else the controller's),
/// and the response lists that leader's endpoint when the leader is alive. An unknown leader is -1/-1, no endpoint.
/// Errors injected by a test's fault (a whole request failed on purpose) carry no hints, so the client refreshes metadata.
/// </summary>
internal static class LeaderHints
{
    public const short ProduceVersion = 10;
    public const short FetchVersion = 16;

    public static void Fill(SimulatedBroker broker, ProduceResponse response, short version)
    {
        if (version < ProduceVersion) return;
        foreach (ProduceResponse.TopicProduceResponse topic in response.Responses)
        {
            foreach (ProduceResponse.PartitionProduceResponse partition in topic.PartitionResponses)
            {
                if ((ErrorCode)partition.ErrorCode != ErrorCode.NotLeaderOrFollower) continue;
                (int leader, int epoch, BrokerInfo? node) = CurrentLeader(broker, topic.Name, partition.Index);
                partition.CurrentLeader = new ProduceResponse.LeaderIdAndEpoch { LeaderId = leader, LeaderEpoch = epoch };
                if (node is not null && !response.NodeEndpoints.Any(n => n.NodeId == node.Id))
                    response.NodeEndpoints.Add(new ProduceResponse.NodeEndpoint { NodeId = node.Id, Host = node.Host, Port = node.Port, Rack = node.Rack });
            }
        }
    }

    public static void Fill(SimulatedBroker broker, FetchResponse response, FetchResponse.PartitionData partition, string topic, short version)
    {
        if (version < FetchVersion || (ErrorCode)partition.ErrorCode is not (ErrorCode.NotLeaderOrFollower or ErrorCode.FencedLeaderEpoch)) return;
        (int leader, int epoch, BrokerInfo? node) = CurrentLeader(broker, topic, partition.PartitionIndex);
        partition.CurrentLeader = new FetchResponse.LeaderIdAndEpoch { LeaderId = leader, LeaderEpoch = epoch };
        if (node is not null && !response.NodeEndpoints.Any(n => n.NodeId == node.Id))
            response.NodeEndpoints.Add(new FetchResponse.NodeEndpoint { NodeId = node.Id, Host = node.Host, Port = node.Port, Rack = node.Rack });
    }

    private static (int Leader, int Epoch, BrokerInfo? Node) CurrentLeader(SimulatedBroker broker, string topic, int partition)
    {
        int leader = -1, epoch = -1;
        if (broker.Replicas.Get(new TopicAndPartition(topic, partition)) is PartitionReplica replica)
        {
            leader = replica.LeaderId;
            epoch = replica.LeaderEpoch;
        }
        else if (broker.Cluster.Controller.Topic(topic) is { } known && partition >= 0 && partition < known.Partitions.Count)
        {
            leader = known.Partitions[partition].Leader;
            epoch = known.Partitions[partition].LeaderEpoch;
        }
        BrokerInfo? node = leader < 0 ? null : broker.Cluster.Controller.AliveBrokers().FirstOrDefault(b => b.Id == leader);
        return (leader, leader < 0 ? -1 : epoch, node);
    }
}
