using System.Text.RegularExpressions;
using KafkaNative.Client;

namespace KafkaNative.Consumer.Groups;

/// <summary>
/// A consumer's membership of its group, whichever protocol runs it: the classic one
/// (<see cref="ConsumerGroupMember"/>) or KIP-848's (<see cref="ServerAssignedMember"/>). It tells the consumer
/// what to start and stop through <see cref="IGroupListener"/>, and commits and fetches the group's offsets.
/// </summary>
internal interface IGroupMember : IDisposable
{
    /// <summary>This member's id, empty when not a member.</summary>
    string MemberId { get; }

    /// <summary>The group, generation (or member epoch) and member id, read together.</summary>
    ConsumerGroupMetadata Metadata { get; }

    /// <summary>Sets the subscription (a list or a pattern).</summary>
    void SetSubscription(IReadOnlyList<string> topics, Regex? pattern);

    /// <summary>Starts the membership loop.</summary>
    void Start(CancellationToken ownerStop = default);

    /// <summary>Stops the membership loop (without leaving).</summary>
    Task StopAsync();

    /// <summary>Leaves the group, best effort.</summary>
    Task LeaveAsync(string reason, CancellationToken cancellationToken);

    /// <summary>Commits offsets as this member.</summary>
    Task CommitAsync(IReadOnlyCollection<TopicPartitionOffset> offsets, CancellationToken cancellationToken);

    /// <summary>The group's committed offsets (-1 where there is none), each with its leader epoch (-1 when unknown).</summary>
    Task<IReadOnlyList<CommittedOffset>> FetchCommittedAsync(IReadOnlyCollection<TopicPartition> partitions, CancellationToken cancellationToken);
}

/// <summary>Makes the member for the consumer's <see cref="ConsumerOptions.GroupProtocol"/>.</summary>
internal static class GroupMembers
{
    public static IGroupMember Create(KafkaCluster cluster, ConsumerOptions options, IGroupListener listener, PollTracker poll) =>
        options.GroupProtocol == GroupProtocol.Consumer
            ? new ServerAssignedMember(cluster, options, listener, poll)
            : new ConsumerGroupMember(cluster, options, listener, poll);
}
