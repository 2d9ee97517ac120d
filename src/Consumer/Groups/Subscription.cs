using System.Text.RegularExpressions;
using KafkaNative.Client;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Consumer.Groups;

/// <summary>What a member subscribes to: a list of topics, or the cluster's topics a pattern matches now.</summary>
internal static class Subscription
{
    public static async Task<IReadOnlyList<string>> ResolveAsync(KafkaCluster cluster, IReadOnlyList<string> topics, Regex? pattern, CancellationToken cancellationToken)
    {
        if (pattern is null) return topics;
        MetadataResponse all = await cluster.SendToAnyBrokerAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = null }, cancellationToken).ConfigureAwait(false);
        return all.Topics.Where(t => t.Name is not null && !t.IsInternal && pattern.IsMatch(t.Name)).Select(t => t.Name!).Order(StringComparer.Ordinal).ToList();
    }
}
