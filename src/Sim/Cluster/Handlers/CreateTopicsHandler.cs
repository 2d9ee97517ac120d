using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Sim.Handlers;

/// <summary>CreateTopics: creates each topic (or only validates), answering once the replicas exist.</summary>
internal static class CreateTopicsHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, CreateTopicsRequest request)
    {
        ClusterController controller = broker.Cluster.Controller;
        ClusterOptions options = broker.Cluster.Options;
        var response = new CreateTopicsResponse();
        var creations = new List<Task>();
        var duplicates = request.Topics.GroupBy(t => t.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        foreach (CreateTopicsRequest.CreatableTopic topic in request.Topics)
        {
            var result = new CreateTopicsResponse.CreatableTopicResult { Name = topic.Name, NumPartitions = -1, ReplicationFactor = -1 };
            response.Topics.Add(result);
            if (duplicates.Contains(topic.Name))
            {
                (result.ErrorCode, result.ErrorMessage) = ((short)ErrorCode.InvalidRequest, $"Create topics request from client contains multiple entries for topic {topic.Name}");
                continue;
            }
            List<int[]>? assignment = null;
            if (topic.Assignments.Count > 0)
            {
                if (topic.NumPartitions != -1 || topic.ReplicationFactor != -1)
                {
                    (result.ErrorCode, result.ErrorMessage) = ((short)ErrorCode.InvalidRequest, "Both numPartitions or replicationFactor and replicasAssignments were set.");
                    continue;
                }
                assignment = topic.Assignments.OrderBy(a => a.PartitionIndex).Select(a => a.BrokerIds.ToArray()).ToList();
            }
            int partitions = topic.NumPartitions == -1 ? assignment?.Count ?? options.DefaultPartitions : topic.NumPartitions;
            short replicationFactor = topic.ReplicationFactor == -1
                ? (short)(assignment?[0].Length ?? Math.Min(options.DefaultReplicationFactor, controller.AliveBrokers().Count))
                : topic.ReplicationFactor;
            var configs = topic.Configs.ToDictionary(c => c.Name, c => c.Value);
            (ErrorCode error, string? message, TopicSnapshot? created, Task done) =
                controller.CreateTopic(topic.Name, partitions, replicationFactor, assignment, configs, request.ValidateOnly);
            result.ErrorCode = (short)error;
            result.ErrorMessage = message;
            if (created is null) continue;
            creations.Add(done);
            result.TopicId = created.Id;
            result.NumPartitions = created.Partitions.Count;
            result.ReplicationFactor = (short)created.Partitions[0].Replicas.Length;
            result.Configs = DescribeConfigsHandler.TopicEntries(created.Config, null)
                .Select(e => new CreateTopicsResponse.CreatableTopicConfigs { Name = e.Name, Value = e.Value, ReadOnly = false, ConfigSource = e.Source, IsSensitive = false })
                .ToList();
        }
        Task.WhenAll(creations).ContinueWith(_ => context.Respond(response), TaskScheduler.Default);
    }

    public static CreateTopicsResponse Error(CreateTopicsRequest request, ErrorCode error, short version) => new()
    {
        Topics = request.Topics.Select(t => new CreateTopicsResponse.CreatableTopicResult { Name = t.Name, ErrorCode = (short)error, NumPartitions = -1, ReplicationFactor = -1 }).ToList(),
    };
}
