using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Admin;

// A consumer group's committed offsets, sent to the group's coordinator: list, alter and delete.
public sealed partial class KafkaAdminClient
{
    // The single-group forms of OffsetFetch and OffsetCommit (v8 batches groups, v10 names topics by id).
    private const short OffsetFetchMaxVersion = 7;
    private const short OffsetCommitMaxVersion = 8;

    /// <summary>Lists a consumer group's committed offsets; partitions without one are left out.</summary>
    /// <param name="groupId">The group.</param>
    /// <param name="partitions">The partitions to look up, or null for every partition the group committed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">The coordinator refused (GROUP_AUTHORIZATION_FAILED, COORDINATOR_LOAD_IN_PROGRESS…).</exception>
    public async Task<IReadOnlyDictionary<TopicPartition, OffsetAndMetadata>> ListConsumerGroupOffsetsAsync(
        string groupId, IEnumerable<TopicPartition>? partitions = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        var request = new OffsetFetchRequest { GroupId = groupId, Topics = partitions is null ? null : [] };
        foreach (IGrouping<string, TopicPartition> topic in partitions?.GroupBy(p => p.Topic) ?? [])
            request.Topics!.Add(new OffsetFetchRequest.OffsetFetchRequestTopic { Name = topic.Key, PartitionIndexes = topic.Select(p => p.Partition).ToList() });

        KafkaBroker coordinator = await CoordinatorAsync(groupId, cancellationToken).ConfigureAwait(false);
        OffsetFetchResponse response = await coordinator.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(
            request, new SendOptions(MaxVersion: OffsetFetchMaxVersion), cancellationToken).ConfigureAwait(false);
        KafkaErrorException.ThrowIfError(response.ErrorCode, $"OffsetFetch for group {groupId}");
        var offsets = new Dictionary<TopicPartition, OffsetAndMetadata>();
        var failures = new List<(string, short, string?)>();
        foreach (OffsetFetchResponse.OffsetFetchResponseTopic topic in response.Topics)
        {
            foreach (OffsetFetchResponse.OffsetFetchResponsePartition p in topic.Partitions)
            {
                var partition = new TopicPartition(topic.Name, p.PartitionIndex);
                if (p.ErrorCode != 0) failures.Add((partition.ToString(), p.ErrorCode, null));
                else if (p.CommittedOffset >= 0) offsets[partition] = new OffsetAndMetadata(p.CommittedOffset, NullIfEmpty(p.Metadata ?? ""), p.CommittedLeaderEpoch);
            }
        }
        ThrowIfAnyFailed($"OffsetFetch for group {groupId}", failures);
        return offsets;
    }

    /// <summary>
    /// Sets a consumer group's committed offsets, as an admin (no generation, no member id). Kafka takes such a
    /// commit only while the group has no active members: stop its consumers first.
    /// </summary>
    /// <param name="groupId">The group; it is created when it does not exist.</param>
    /// <param name="offsets">For each partition, the offset the group reads next.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">The group has active members (UNKNOWN_MEMBER_ID, with a message saying so), or a partition was refused.</exception>
    public async Task AlterConsumerGroupOffsetsAsync(string groupId, IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> offsets, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentNullException.ThrowIfNull(offsets);
        if (offsets.Count == 0) return;
        var request = new OffsetCommitRequest { GroupId = groupId, GenerationIdOrMemberEpoch = -1, MemberId = "", GroupInstanceId = null };
        foreach (IGrouping<string, KeyValuePair<TopicPartition, OffsetAndMetadata>> topic in offsets.GroupBy(o => o.Key.Topic))
        {
            request.Topics.Add(new OffsetCommitRequest.OffsetCommitRequestTopic
            {
                Name = topic.Key,
                Partitions = topic.Select(o => new OffsetCommitRequest.OffsetCommitRequestPartition
                {
                    PartitionIndex = o.Key.Partition,
                    CommittedOffset = o.Value.Offset,
                    CommittedLeaderEpoch = o.Value.LeaderEpoch,
                    CommittedMetadata = o.Value.Metadata ?? "",
                }).ToList(),
            });
        }
        KafkaBroker coordinator = await CoordinatorAsync(groupId, cancellationToken).ConfigureAwait(false);
        OffsetCommitResponse response = await coordinator.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(
            request, new SendOptions(MaxVersion: OffsetCommitMaxVersion), cancellationToken).ConfigureAwait(false);
        var outcomes = response.Topics.SelectMany(t => t.Partitions.Select(p => (Name: $"{t.Name}-{p.PartitionIndex}", Error: p.ErrorCode))).ToList();
        // An admin commit to a group with members is refused as coming from an unknown member of the generation.
        if (outcomes.FirstOrDefault(o => (ErrorCode)o.Error is ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration or ErrorCode.RebalanceInProgress) is { Name: not null } active)
        {
            throw new KafkaErrorException((ErrorCode)active.Error,
                $"AlterConsumerGroupOffsets {groupId}: the group has active members ({((ErrorCode)active.Error).Name()}); Kafka takes offsets from an admin only while the group is empty, so stop its consumers first");
        }
        ThrowIfAnyFailed($"AlterConsumerGroupOffsets {groupId}", outcomes.Select(o => (o.Name, o.Error, (string?)null)));
    }

    /// <summary>Deletes a consumer group's committed offsets for some partitions (OffsetDelete).</summary>
    /// <param name="groupId">The group.</param>
    /// <param name="partitions">The partitions whose offsets go.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, or GROUP_SUBSCRIBED_TO_TOPIC for a topic the group's members consume.</exception>
    public async Task DeleteConsumerGroupOffsetsAsync(string groupId, IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentNullException.ThrowIfNull(partitions);
        var request = new OffsetDeleteRequest
        {
            GroupId = groupId,
            Topics = partitions.GroupBy(p => p.Topic).Select(t => new OffsetDeleteRequest.OffsetDeleteRequestTopic
            {
                Name = t.Key,
                Partitions = t.Select(p => new OffsetDeleteRequest.OffsetDeleteRequestPartition { PartitionIndex = p.Partition }).ToList(),
            }).ToList(),
        };
        if (request.Topics.Count == 0) return;
        KafkaBroker coordinator = await CoordinatorAsync(groupId, cancellationToken).ConfigureAwait(false);
        OffsetDeleteResponse response = await coordinator.SendAsync<OffsetDeleteRequest, OffsetDeleteResponse>(request, cancellationToken).ConfigureAwait(false);
        KafkaErrorException.ThrowIfError(response.ErrorCode, $"OffsetDelete for group {groupId}");
        ThrowIfAnyFailed($"OffsetDelete for group {groupId}",
            response.Topics.SelectMany(t => t.Partitions.Select(p => ($"{t.Name}-{p.PartitionIndex}", p.ErrorCode, (string?)null))));
    }
}
