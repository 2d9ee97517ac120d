using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Sim.Handlers;

/// <summary>
/// Metadata: live brokers with their racks, and topics with leaders, leader epochs, replicas, ISR and
/// offline replicas. Unknown topics are created when both the cluster and the request allow it;
/// the answer then waits until their replicas exist.
/// </summary>
internal static class MetadataHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, MetadataRequest request)
    {
        ClusterController controller = broker.Cluster.Controller;
        ClusterOptions options = broker.Cluster.Options;
        short version = context.ApiVersion;
        bool allTopics = request.Topics is null || (version == 0 && request.Topics.Count == 0);
        bool mayCreate = options.AutoCreateTopics && (version < 4 || request.AllowAutoTopicCreation);

        var creations = new List<Task>();
        if (!allTopics && mayCreate)
        {
            foreach (MetadataRequest.MetadataRequestTopic wanted in request.Topics!)
            {
                if (wanted.Name is string name && TopicNames.IsValid(name) && controller.Topic(name) is null)
                {
                    short replicationFactor = (short)Math.Min(options.DefaultReplicationFactor, controller.AliveBrokers().Count);
                    creations.Add(controller.CreateTopic(name, options.DefaultPartitions, replicationFactor, null, null, validateOnly: false).Created);
                }
            }
        }
        if (creations.Count == 0)
        {
            context.Respond(Build(controller, request, allTopics, version));
            return;
        }
        Task.WhenAll(creations).ContinueWith(_ => context.Respond(Build(controller, request, allTopics, version)), TaskScheduler.Default);
    }

    public static MetadataResponse Error(MetadataRequest request, ErrorCode error, short version) => new()
    {
        Topics = (request.Topics ?? []).Select(t => new MetadataResponse.MetadataResponseTopic
        {
            ErrorCode = (short)error,
            Name = t.Name ?? "",
            TopicId = t.TopicId,
        }).ToList(),
    };

    private static MetadataResponse Build(ClusterController controller, MetadataRequest request, bool allTopics, short version)
    {
        IReadOnlyList<BrokerInfo> brokers = controller.AliveBrokers();
        var alive = brokers.Select(b => b.Id).ToHashSet();
        var response = new MetadataResponse
        {
            ClusterId = controller.ClusterId,
            ControllerId = controller.ControllerId,
            Brokers = brokers.Select(b => new MetadataResponse.MetadataResponseBroker { NodeId = b.Id, Host = b.Host, Port = b.Port, Rack = b.Rack }).ToList(),
        };
        if (allTopics)
        {
            foreach (TopicSnapshot topic in controller.AllTopics()) response.Topics.Add(Describe(topic, alive));
            return response;
        }
        foreach (MetadataRequest.MetadataRequestTopic wanted in request.Topics!)
        {
            TopicSnapshot? topic = wanted.Name is string name ? controller.Topic(name) : controller.Topic(wanted.TopicId);
            if (topic is not null)
            {
                response.Topics.Add(Describe(topic, alive));
                continue;
            }
            ErrorCode error = wanted.Name is null ? ErrorCode.UnknownTopicId
                : TopicNames.IsValid(wanted.Name) ? ErrorCode.UnknownTopicOrPartition
                : ErrorCode.InvalidTopicException;
            response.Topics.Add(new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)error, Name = wanted.Name ?? (version >= 12 ? null : ""), TopicId = wanted.TopicId });
        }
        return response;
    }

    private static MetadataResponse.MetadataResponseTopic Describe(TopicSnapshot topic, HashSet<int> alive) => new()
    {
        ErrorCode = (short)ErrorCode.None,
        Name = topic.Name,
        TopicId = topic.Id,
        Partitions = topic.Partitions.Select(p => new MetadataResponse.MetadataResponsePartition
        {
            ErrorCode = (short)(p.Leader < 0 ? ErrorCode.LeaderNotAvailable : ErrorCode.None),
            PartitionIndex = p.Index,
            LeaderId = p.Leader,
            LeaderEpoch = p.LeaderEpoch,
            ReplicaNodes = p.Replicas.ToList(),
            IsrNodes = p.Isr.ToList(),
            OfflineReplicas = p.Replicas.Where(r => !alive.Contains(r)).ToList(),
        }).ToList(),
    };
}
