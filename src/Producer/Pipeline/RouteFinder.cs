using KafkaNative.Client;
using KafkaNative.Protocol;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Producer.Pipeline;

/// <summary>Where a partition's records go next, or why there is nowhere yet.</summary>
/// <param name="Broker">The leader's broker producer, acquired for the partition; null when there is none.</param>
/// <param name="Identity">A producer identity the partition must adopt before sending (new, or bumped).</param>
/// <param name="Error">Why there is no route; non-retriable errors fail what the partition holds.</param>
internal readonly record struct Route(BrokerProducer? Broker, ProducerIdentity? Identity, KafkaException? Error);

/// <summary>
/// One attempt to find a partition's leader: fresh metadata when the last route failed (never back
/// to the broker that just failed on what the cache said before the failure; a KIP-951 leader hint the
/// cache took is fresh, so after one the cache is used as it is, see <see cref="ProduceRequests.Settle"/>), the leader's broker
/// producer, and the producer identity the partition needs. Runs beside the partition producer's
/// loop, which keeps taking records while the attempt is under way.
/// </summary>
internal static class RouteFinder
{
    public static async Task<Route> FindAsync(ProducerContext context, PartitionState state, long failedAt, bool needsBump, CancellationToken shutdown)
    {
        try
        {
            if (failedAt != 0) await RefreshAfterAsync(context, failedAt, shutdown).ConfigureAwait(false);
            TopicMetadata topic = await context.Cluster.GetTopicAsync(state.Topic, shutdown).ConfigureAwait(false);
            if (topic.Error != ErrorCode.None)
                return new Route(null, null, new KafkaErrorException(topic.Error, $"Metadata for topic {state.Topic}", (string?)null));
            PartitionMetadata? partition = topic.Partitions.FirstOrDefault(p => p.Partition == state.Partition);
            if (partition is null || partition.LeaderId < 0)
            {
                // Without a leader the cached metadata is no use: ask again now so the next attempt sees news.
                await RefreshQuietlyAsync(context, state, shutdown).ConfigureAwait(false);
                return new Route(null, null, new KafkaErrorException(ErrorCode.LeaderNotAvailable, $"No leader for {state}", (string?)null));
            }

            ProducerIdentity? identity = null;
            if (context.Idempotence is not null)
            {
                if (state.ProducerId < 0) identity = await context.Idempotence.GetAsync(shutdown).ConfigureAwait(false);
                else if (needsBump) identity = await context.Idempotence.BumpAsync(new ProducerIdentity(state.ProducerId, state.ProducerEpoch), shutdown).ConfigureAwait(false);
            }
            BrokerProducer broker = await context.BrokerProducers.AcquireAsync(partition.LeaderId, shutdown).ConfigureAwait(false);
            return new Route(broker, identity, null);
        }
        catch (KafkaException e)
        {
            context.Logger.LogDebug(e, "No route for {Partition} yet", state);
            return new Route(null, null, e);
        }
    }

    /// <summary>Refreshes until the cache holds metadata requested after <paramref name="failedAt"/> (a coalesced refresh may have started before it).</summary>
    private static async Task RefreshAfterAsync(ProducerContext context, long failedAt, CancellationToken shutdown)
    {
        for (int i = 0; i < 3; i++)
        {
            ClusterMetadata metadata = await context.Cluster.RefreshMetadataAsync(shutdown).ConfigureAwait(false);
            if (metadata.RequestedAt > failedAt) return;
        }
        throw new KafkaConnectionException($"No metadata newer than the failure {context.Time.GetElapsedTime(failedAt).TotalMilliseconds:0} ms ago could be fetched.");
    }

    private static async Task RefreshQuietlyAsync(ProducerContext context, PartitionState state, CancellationToken shutdown)
    {
        try
        {
            await context.Cluster.RefreshMetadataAsync(shutdown).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            context.Logger.LogDebug(e, "Metadata refresh for {Partition} failed", state);
        }
    }
}
