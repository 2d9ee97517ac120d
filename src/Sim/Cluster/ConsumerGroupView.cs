namespace KafkaNative.Sim;

/// <summary>
/// A consumer-protocol group (KIP-848) as its coordinator sees it at one moment, for tests: who owns which partition
/// (a partition a member must still revoke counts as its own until a heartbeat acknowledges the revocation), the
/// epochs, and whether the coordinator ever saw a partition owned by two members at once.
/// </summary>
public sealed record ConsumerGroupView
{
    /// <summary>The group id.</summary>
    public required string GroupId { get; init; }

    /// <summary>Empty, Assigning, Reconciling or Stable, as ConsumerGroupDescribe reports it.</summary>
    public required string State { get; init; }

    /// <summary>The group epoch, bumped by every membership, subscription or metadata change.</summary>
    public required int GroupEpoch { get; init; }

    /// <summary>The group epoch the current target assignment was computed for.</summary>
    public required int AssignmentEpoch { get; init; }

    /// <summary>Each member's id with its member epoch.</summary>
    public required IReadOnlyDictionary<string, int> MemberEpochs { get; init; }

    /// <summary>Each owned partition (topic, partition) with the members owning it: more than one is a violation.</summary>
    public required IReadOnlyDictionary<(string Topic, int Partition), IReadOnlyList<string>> Owners { get; init; }

    /// <summary>Each member's target assignment, as the assignor computed it.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<(string Topic, int Partition)>> Targets { get; init; }

    /// <summary>How many checks (one after every heartbeat, leave and expiry) found a partition owned by two members.</summary>
    public required int DoubleOwnershipsSeen { get; init; }

    /// <summary>The first double ownership the coordinator saw, described; null when none.</summary>
    public string? FirstDoubleOwnership { get; init; }

    /// <summary>Whether a partition is owned by two members now, or ever was at a check.</summary>
    public bool HasDoubleOwnership => DoubleOwnershipsSeen > 0 || Owners.Values.Any(o => o.Count > 1);
}
