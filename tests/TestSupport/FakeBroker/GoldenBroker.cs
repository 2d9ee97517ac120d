using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.TestSupport;

/// <summary>
/// A recording fake broker for golden-byte tests and fuzz seeds: node 0 alone, answering just enough (ApiVersions,
/// Metadata for one topic with one partition, Produce) for a real client such as kcat to send what we want to see.
/// </summary>
public static class GoldenBroker
{
    /// <param name="topic">The one topic the broker claims to have.</param>
    /// <param name="maxProduceVersion">Highest Produce version to advertise.</param>
    /// <param name="maxFetchVersion">Highest Fetch version to advertise. librdkafka writes magic v2 batches
    /// only when Produce v3+ and Fetch v4+ are both available, and legacy message sets otherwise.</param>
    public static FakeBroker Start(string topic, short maxProduceVersion = 11, short maxFetchVersion = 12)
    {
        var broker = new FakeBroker(nodeId: 0, recordFrames: true)
        {
            ApiVersions = ApiVersions(maxProduceVersion, maxFetchVersion),
            MaxApiVersionsVersion = ApiVersionsRequest.HighestSupportedVersion,
        };
        broker.Metadata = _ => Metadata(broker, topic);
        long nextOffset = 0;
        broker.OnRequest = async request =>
        {
            if (request.ApiKey != ApiKey.Produce) return false;
            await request.RespondAsync(Produced(request.Read<ProduceRequest>(), ref nextOffset));
            return true;
        };
        return broker;
    }

    private static ApiVersionsResponse ApiVersions(short maxProduceVersion, short maxFetchVersion)
    {
        var response = new ApiVersionsResponse();
        response.ApiKeys.Add(new() { ApiKey = (short)ApiKey.Produce, MinVersion = 0, MaxVersion = maxProduceVersion });
        response.ApiKeys.Add(new() { ApiKey = (short)ApiKey.Fetch, MinVersion = 0, MaxVersion = maxFetchVersion });
        response.ApiKeys.Add(new() { ApiKey = (short)ApiKey.Metadata, MinVersion = 0, MaxVersion = MetadataRequest.HighestSupportedVersion });
        // librdkafka infers broker features from the whole list (lz4 needs the group APIs, for one),
        // so advertise what a real broker of the same era would, though only the above are answered.
        foreach (ApiKey other in new[] { ApiKey.ListOffsets, ApiKey.OffsetCommit, ApiKey.OffsetFetch, ApiKey.FindCoordinator,
                     ApiKey.JoinGroup, ApiKey.Heartbeat, ApiKey.LeaveGroup, ApiKey.SyncGroup, ApiKey.DescribeGroups, ApiKey.ListGroups })
            response.ApiKeys.Add(new() { ApiKey = (short)other, MinVersion = 0, MaxVersion = 3 });
        response.ApiKeys.Add(new() { ApiKey = (short)ApiKey.ApiVersions, MinVersion = 0, MaxVersion = ApiVersionsRequest.HighestSupportedVersion });
        return response;
    }

    private static MetadataResponse Metadata(FakeBroker broker, string topicName)
    {
        var response = new MetadataResponse { ClusterId = "golden-cluster", ControllerId = broker.NodeId };
        response.Brokers.Add(new() { NodeId = broker.NodeId, Host = broker.Host, Port = broker.Port });
        var topic = new MetadataResponse.MetadataResponseTopic { Name = topicName, TopicId = Guid.NewGuid() };
        topic.Partitions.Add(new() { PartitionIndex = 0, LeaderId = broker.NodeId, LeaderEpoch = 0, ReplicaNodes = [broker.NodeId], IsrNodes = [broker.NodeId] });
        response.Topics.Add(topic);
        return response;
    }

    private static ProduceResponse Produced(ProduceRequest request, ref long nextOffset)
    {
        var response = new ProduceResponse();
        foreach (var topic in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topic.Name };
            foreach (var partition in topic.PartitionData)
                topicResponse.PartitionResponses.Add(new() { Index = partition.Index, BaseOffset = Interlocked.Add(ref nextOffset, 1000) - 1000 });
            response.Responses.Add(topicResponse);
        }
        return response;
    }
}
