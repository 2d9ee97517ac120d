using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Consumer.Fetching;

/// <summary>ListOffsets: turns "beginning", "end" and the reset policy into offsets, and reads watermarks.</summary>
internal static class OffsetResolver
{
    /// <summary>Initial offset meaning "the group's committed offset, else the reset policy".</summary>
    public const long Committed = -1002;


    /// <summary>Resolves a pending reset (<see cref="TopicPartitionOffset.Beginning"/>, <see cref="TopicPartitionOffset.End"/>, or Unset for the policy).</summary>
    /// <exception cref="KafkaConsumeException">The policy is <see cref="AutoOffsetReset.Error"/>.</exception>
    /// <returns>The offset, and the leader epoch committed with it (-1 unless it is a committed offset with one).</returns>
    public static async Task<(long Offset, int LeaderEpoch)> ResolveResetAsync(ConsumerContext context, TopicPartition partition, long reset, CancellationToken cancellationToken)
    {
        if (reset == Committed)
        {
            (long committed, int epoch) = context.CommittedLookup is { } lookup ? await lookup(partition, cancellationToken).ConfigureAwait(false) : (Sentinels.NoOffset, -1);
            if (committed >= 0) return (committed, epoch);
            reset = TopicPartitionOffset.Unset;
        }
        if (reset == TopicPartitionOffset.Unset)
        {
            reset = context.Options.AutoOffsetReset switch
            {
                AutoOffsetReset.Earliest => TopicPartitionOffset.Beginning,
                AutoOffsetReset.Latest => TopicPartitionOffset.End,
                _ => throw new KafkaConsumeException(ErrorCode.OffsetOutOfRange, partition,
                    $"{partition} has no valid offset (no committed offset, or out of range) and AutoOffsetReset is Error; Seek to continue."),
            };
        }
        return (await ListOffsetAsync(context, partition, reset == TopicPartitionOffset.Beginning ? Sentinels.EarliestTimestamp : Sentinels.LatestTimestamp, cancellationToken).ConfigureAwait(false), -1);
    }

    /// <summary>The earliest or latest offset of a partition, from its leader.</summary>
    public static async Task<long> ListOffsetAsync(ConsumerContext context, TopicPartition partition, long timestamp, CancellationToken cancellationToken)
    {
        using BrokerLease lease = await context.Cluster.AcquireLeaderAsync(partition.Topic, partition.Partition, cancellationToken).ConfigureAwait(false);
        var request = new ListOffsetsRequest
        {
            ReplicaId = Sentinels.ClientReplicaId,
            IsolationLevel = (sbyte)context.Options.IsolationLevel,
            Topics =
            [
                new ListOffsetsRequest.ListOffsetsTopic
                {
                    Name = partition.Topic,
                    Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = partition.Partition, Timestamp = timestamp, MaxNumOffsets = 1 }],
                },
            ],
        };
        ListOffsetsResponse response = await lease.Broker.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(request, new SendOptions(MaxVersion: 7), cancellationToken).ConfigureAwait(false);
        foreach (ListOffsetsResponse.ListOffsetsTopicResponse topic in response.Topics)
        {
            if (topic.Name != partition.Topic) continue;
            foreach (ListOffsetsResponse.ListOffsetsPartitionResponse p in topic.Partitions)
            {
                if (p.PartitionIndex != partition.Partition) continue;
                KafkaErrorException.ThrowIfError(p.ErrorCode, $"ListOffsets for {partition}");
                long offset = p.Offset >= 0 ? p.Offset : p.OldStyleOffsets.Count > 0 ? p.OldStyleOffsets[0] : -1;
                // A lookup by time finds nothing when every message is older: the end, as Kafka documents.
                if (offset < 0 && timestamp >= 0) return TopicPartitionOffset.End;
                if (offset < 0) throw new KafkaErrorException(ErrorCode.UnknownServerError, $"ListOffsets for {partition} returned no offset");
                return offset;
            }
        }
        throw new KafkaErrorException(ErrorCode.UnknownTopicOrPartition, $"ListOffsets response has no entry for {partition}");
    }
}
