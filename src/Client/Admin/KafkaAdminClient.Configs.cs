using KafkaNative.Client;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol;

namespace KafkaNative.Admin;

// Configurations of topics, brokers and other resources.
public sealed partial class KafkaAdminClient
{
    /// <summary>Describes the configuration of a topic, broker or other resource.</summary>
    /// <param name="resource">The resource.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">The resource does not exist or may not be described.</exception>
    public async Task<IReadOnlyList<ConfigEntry>> DescribeConfigsAsync(ConfigResource resource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resource.Name);
        var request = new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = (sbyte)resource.Type, ResourceName = resource.Name, ConfigurationKeys = null }],
        };
        KafkaBroker broker = await BrokerForAsync(resource, cancellationToken).ConfigureAwait(false);
        DescribeConfigsResponse response = await broker.SendAsync<DescribeConfigsRequest, DescribeConfigsResponse>(request, cancellationToken).ConfigureAwait(false);
        DescribeConfigsResponse.DescribeConfigsResult result = response.Results.SingleOrDefault()
            ?? throw new KafkaProtocolException($"DescribeConfigs answered {response.Results.Count} results for one resource", "Results");
        KafkaErrorException.ThrowIfError(result.ErrorCode, $"DescribeConfigs {resource.Type} {resource.Name}", result.ErrorMessage);
        // IsDefault is on the wire in v0 only; from v1 a default is the entry whose ConfigSource is DEFAULT_CONFIG (absent, -1, in v0).
        return result.Configs.Select(c => new ConfigEntry(c.Name, c.Value, c.ReadOnly, c.IsDefault || c.ConfigSource == DefaultConfigSource, c.IsSensitive)).ToList();
    }

    /// <summary>Changes configuration keys of a resource; keys not mentioned keep their values (IncrementalAlterConfigs).</summary>
    /// <param name="resource">The resource.</param>
    /// <param name="alterations">The changes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">The change was rejected (INVALID_CONFIG…).</exception>
    public async Task AlterConfigsAsync(ConfigResource resource, IEnumerable<ConfigAlteration> alterations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resource.Name);
        ArgumentNullException.ThrowIfNull(alterations);
        var request = new IncrementalAlterConfigsRequest
        {
            Resources =
            [
                new IncrementalAlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = (sbyte)resource.Type,
                    ResourceName = resource.Name,
                    Configs = alterations.Select(a => new IncrementalAlterConfigsRequest.AlterableConfig { Name = a.Name, Value = a.Value, ConfigOperation = (sbyte)a.Operation }).ToList(),
                },
            ],
        };
        KafkaBroker broker = await BrokerForAsync(resource, cancellationToken).ConfigureAwait(false);
        IncrementalAlterConfigsResponse response = await broker.SendAsync<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>(request, cancellationToken).ConfigureAwait(false);
        ThrowIfAnyFailed("AlterConfigs", response.Responses.Select(r => (r.ResourceName, r.ErrorCode, r.ErrorMessage)));
    }
}
