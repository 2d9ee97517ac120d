using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Sim.Handlers;

/// <summary>DeleteTopics: by name (v0-5) or by name or id (v6+); committed offsets of the topic go too.</summary>
internal static class DeleteTopicsHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, DeleteTopicsRequest request)
    {
        IEnumerable<(string? Name, Guid Id)> wanted = context.ApiVersion >= 6
            ? request.Topics.Select(t => (t.Name, t.TopicId))
            : request.TopicNames.Select(n => ((string?)n, Guid.Empty));
        var response = new DeleteTopicsResponse();
        var deletions = new List<Task>();
        foreach ((string? name, Guid id) in wanted)
        {
            (ErrorCode error, TopicSnapshot? deleted, Task done) = broker.Cluster.Controller.DeleteTopic(name, id);
            if (deleted is not null) broker.Cluster.Offsets.RemoveTopic(deleted.Name);
            deletions.Add(done);
            response.Responses.Add(new DeleteTopicsResponse.DeletableTopicResult
            {
                Name = deleted?.Name ?? name,
                TopicId = deleted?.Id ?? id,
                ErrorCode = (short)error,
            });
        }
        Task.WhenAll(deletions).ContinueWith(_ => context.Respond(response), TaskScheduler.Default);
    }

    public static DeleteTopicsResponse Error(DeleteTopicsRequest request, ErrorCode error, short version) => new()
    {
        Responses = version >= 6
            ? request.Topics.Select(t => new DeleteTopicsResponse.DeletableTopicResult { Name = t.Name, TopicId = t.TopicId, ErrorCode = (short)error }).ToList()
            : request.TopicNames.Select(n => new DeleteTopicsResponse.DeletableTopicResult { Name = n, ErrorCode = (short)error }).ToList(),
    };
}
