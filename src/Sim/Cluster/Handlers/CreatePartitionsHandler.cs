using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Sim.Handlers;

/// <summary>CreatePartitions: grows topics, with explicit replica assignments or rack-aware placement.</summary>
internal static class CreatePartitionsHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, CreatePartitionsRequest request)
    {
        var response = new CreatePartitionsResponse();
        var creations = new List<Task>();
        foreach (CreatePartitionsRequest.CreatePartitionsTopic topic in request.Topics)
        {
            List<int[]>? assignment = topic.Assignments?.Select(a => a.BrokerIds.ToArray()).ToList();
            (ErrorCode error, string? message, Task done) = broker.Cluster.Controller.CreatePartitions(topic.Name, topic.Count, assignment, request.ValidateOnly);
            creations.Add(done);
            response.Results.Add(new CreatePartitionsResponse.CreatePartitionsTopicResult { Name = topic.Name, ErrorCode = (short)error, ErrorMessage = message });
        }
        Task.WhenAll(creations).ContinueWith(_ => context.Respond(response), TaskScheduler.Default);
    }

    public static CreatePartitionsResponse Error(CreatePartitionsRequest request, ErrorCode error, short version) => new()
    {
        Results = request.Topics.Select(t => new CreatePartitionsResponse.CreatePartitionsTopicResult { Name = t.Name, ErrorCode = (short)error }).ToList(),
    };
}
