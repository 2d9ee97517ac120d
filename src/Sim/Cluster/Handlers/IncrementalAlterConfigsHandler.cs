using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Sim.Handlers;

/// <summary>IncrementalAlterConfigs for topics; broker settings are static in the simulation.</summary>
internal static class IncrementalAlterConfigsHandler
{
    private const sbyte TopicResource = 2;

    public static void Handle(SimulatedBroker broker, RequestContext context, IncrementalAlterConfigsRequest request)
    {
        var response = new IncrementalAlterConfigsResponse();
        foreach (IncrementalAlterConfigsRequest.AlterConfigsResource resource in request.Resources)
        {
            (ErrorCode error, string? message) = resource.ResourceType == TopicResource
                ? broker.Cluster.Controller.AlterTopicConfig(
                    resource.ResourceName,
                    resource.Configs.Select(c => (c.Name, c.ConfigOperation, c.Value)).ToList(),
                    request.ValidateOnly)
                : (ErrorCode.InvalidRequest, $"The simulated cluster alters topic configurations only, not resource type {resource.ResourceType}");
            response.Responses.Add(new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
            {
                ErrorCode = (short)error,
                ErrorMessage = message,
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            });
        }
        context.Respond(response);
    }

    public static IncrementalAlterConfigsResponse Error(IncrementalAlterConfigsRequest request, ErrorCode error, short version) => new()
    {
        Responses = request.Resources.Select(r => new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
        {
            ErrorCode = (short)error,
            ResourceType = r.ResourceType,
            ResourceName = r.ResourceName,
        }).ToList(),
    };
}
