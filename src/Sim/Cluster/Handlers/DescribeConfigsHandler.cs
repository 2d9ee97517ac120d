using System.Globalization;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Sim.Handlers;

/// <summary>DescribeConfigs for topics (overrides over defaults) and for this broker (its static settings).</summary>
internal static class DescribeConfigsHandler
{
    private const sbyte TopicResource = 2;
    private const sbyte BrokerResource = 4;
    private const sbyte DynamicTopicConfig = 1;
    private const sbyte StaticBrokerConfig = 4;
    private const sbyte DefaultConfig = 5;

    /// <summary>A configuration entry and where its value comes from.</summary>
    internal readonly record struct Entry(string Name, string? Value, sbyte Source);

    public static void Handle(SimulatedBroker broker, RequestContext context, DescribeConfigsRequest request)
    {
        var response = new DescribeConfigsResponse();
        foreach (DescribeConfigsRequest.DescribeConfigsResource resource in request.Resources)
        {
            var result = new DescribeConfigsResponse.DescribeConfigsResult { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName };
            response.Results.Add(result);
            IEnumerable<Entry>? entries = null;
            switch (resource.ResourceType)
            {
                case TopicResource when broker.Cluster.Controller.Topic(resource.ResourceName) is { } topic:
                    entries = TopicEntries(topic.Config, resource.ConfigurationKeys);
                    break;
                case TopicResource:
                    (result.ErrorCode, result.ErrorMessage) = ((short)ErrorCode.UnknownTopicOrPartition, $"Topic {resource.ResourceName} does not exist");
                    break;
                case BrokerResource when resource.ResourceName.Length == 0 || resource.ResourceName == broker.Id.ToString(CultureInfo.InvariantCulture):
                    entries = BrokerEntries(broker).Where(e => resource.ConfigurationKeys is null || resource.ConfigurationKeys.Contains(e.Name));
                    break;
                case BrokerResource:
                    (result.ErrorCode, result.ErrorMessage) = ((short)ErrorCode.InvalidRequest, $"Unexpected broker id, expected {broker.Id} or empty string, but received {resource.ResourceName}");
                    break;
                default:
                    (result.ErrorCode, result.ErrorMessage) = ((short)ErrorCode.InvalidRequest, $"Unsupported resource type {resource.ResourceType}");
                    break;
            }
            if (entries is null) continue;
            result.Configs = entries.Select(e => new DescribeConfigsResponse.DescribeConfigsResourceResult
            {
                Name = e.Name,
                Value = e.Value,
                ReadOnly = resource.ResourceType == BrokerResource,
                IsDefault = context.ApiVersion == 0 && e.Source == DefaultConfig,
                ConfigSource = e.Source,
                IsSensitive = false,
            }).ToList();
        }
        context.Respond(response);
    }

    public static DescribeConfigsResponse Error(DescribeConfigsRequest request, ErrorCode error, short version) => new()
    {
        Results = request.Resources.Select(r => new DescribeConfigsResponse.DescribeConfigsResult
        {
            ErrorCode = (short)error,
            ResourceType = r.ResourceType,
            ResourceName = r.ResourceName,
        }).ToList(),
    };

    internal static IEnumerable<Entry> TopicEntries(TopicConfig config, IReadOnlyCollection<string>? keys)
    {
        var names = config.Defaults.Keys.Union(config.Overrides.Keys).Order(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (keys is not null && !keys.Contains(name)) continue;
            yield return config.Overrides.TryGetValue(name, out string? value)
                ? new Entry(name, value, DynamicTopicConfig)
                : new Entry(name, config.Defaults[name], DefaultConfig);
        }
    }

    private static IEnumerable<Entry> BrokerEntries(SimulatedBroker broker)
    {
        ClusterOptions options = broker.Cluster.Options;
        yield return new Entry("auto.create.topics.enable", options.AutoCreateTopics ? "true" : "false", StaticBrokerConfig);
        yield return new Entry("broker.id", broker.Id.ToString(CultureInfo.InvariantCulture), StaticBrokerConfig);
        yield return new Entry("broker.rack", broker.Rack, StaticBrokerConfig);
        yield return new Entry("default.replication.factor", options.DefaultReplicationFactor.ToString(CultureInfo.InvariantCulture), StaticBrokerConfig);
        yield return new Entry("group.initial.rebalance.delay.ms", options.GroupInitialRebalanceDelayMs.ToString(CultureInfo.InvariantCulture), StaticBrokerConfig);
        yield return new Entry("group.max.session.timeout.ms", options.GroupMaxSessionTimeoutMs.ToString(CultureInfo.InvariantCulture), StaticBrokerConfig);
        yield return new Entry("group.min.session.timeout.ms", options.GroupMinSessionTimeoutMs.ToString(CultureInfo.InvariantCulture), StaticBrokerConfig);
        yield return new Entry("min.insync.replicas", options.MinInSyncReplicas.ToString(CultureInfo.InvariantCulture), StaticBrokerConfig);
        yield return new Entry("num.partitions", options.DefaultPartitions.ToString(CultureInfo.InvariantCulture), StaticBrokerConfig);
        yield return new Entry("socket.request.max.bytes", options.MaxRequestSize.ToString(CultureInfo.InvariantCulture), StaticBrokerConfig);
    }
}
