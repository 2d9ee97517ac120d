using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Consumer.Fetching;

/// <summary>OffsetForLeaderEpoch for a consumer (KIP-320): where a leader epoch ends in the current leader's log.</summary>
internal static class EpochEndLookup
{
    /// <summary>
    /// Asks broker <paramref name="leaderId"/>, the leader at <paramref name="currentLeaderEpoch"/>, where
    /// <paramref name="epoch"/> ends: the largest epoch it knows at most that one and its end offset (-1, -1 when it
    /// knows none). Null when the broker does not support the API: the position cannot be validated.
    /// </summary>
    /// <exception cref="KafkaErrorException">The leader refused (FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, NOT_LEADER_OR_FOLLOWER: refresh and retry).</exception>
    public static async Task<(int Epoch, long EndOffset)?> AskAsync(ConsumerContext context, TopicPartition partition, int leaderId, int currentLeaderEpoch, int epoch, CancellationToken cancellationToken)
    {
        using BrokerLease lease = await context.Cluster.AcquireBrokerAsync(leaderId, cancellationToken).ConfigureAwait(false);
        var request = new OffsetForLeaderEpochRequest
        {
            ReplicaId = Sentinels.ClientReplicaId,
            Topics =
            [
                new OffsetForLeaderEpochRequest.OffsetForLeaderTopic
                {
                    Topic = partition.Topic,
                    Partitions = [new OffsetForLeaderEpochRequest.OffsetForLeaderPartition { Partition = partition.Partition, CurrentLeaderEpoch = currentLeaderEpoch, LeaderEpoch = epoch }],
                },
            ],
        };
        OffsetForLeaderEpochResponse response;
        try
        {
            response = await lease.Broker.SendAsync<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>(request, new SendOptions(MaxVersion: 4), cancellationToken).ConfigureAwait(false);
        }
        catch (UnsupportedVersionException)
        {
            return null;
        }
        foreach (OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult topic in response.Topics)
        {
            if (topic.Topic != partition.Topic) continue;
            foreach (OffsetForLeaderEpochResponse.EpochEndOffset result in topic.Partitions)
            {
                if (result.Partition != partition.Partition) continue;
                KafkaErrorException.ThrowIfError(result.ErrorCode, $"OffsetForLeaderEpoch for {partition} on broker {leaderId}");
                return (result.LeaderEpoch, result.EndOffset);
            }
        }
        throw new KafkaErrorException(ErrorCode.UnknownTopicOrPartition, $"OffsetForLeaderEpoch response has no entry for {partition}", (string?)null);
    }
}
