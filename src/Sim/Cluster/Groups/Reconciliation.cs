namespace KafkaNative.Sim.Groups;

/// <summary>
/// Moves a member's current assignment towards its target, one safe step at a time, as Kafka's CurrentAssignmentBuilder:
/// partitions to revoke come first (the member keeps its epoch until a heartbeat's owned partitions no longer list them);
/// only then does it reach the target epoch, and a new partition is handed over only once no other member owns it
/// (assigned or still revoking). So no partition is ever owned by two members at once from the coordinator's view.
/// </summary>
internal static class Reconciliation
{
    /// <summary>
    /// Reconciles <paramref name="member"/> with <paramref name="target"/> at <paramref name="targetEpoch"/>.
    /// <paramref name="owned"/> is what the heartbeat reported (null when it did not say); <paramref name="ownedByOther"/>
    /// tells whether another member still owns a partition. Returns whether the member's assignment or epoch changed.
    /// </summary>
    public static bool Reconcile(ConsumerProtocolMember member, IReadOnlySet<TopicAndPartition> target, int targetEpoch,
        IReadOnlySet<TopicAndPartition>? owned, Func<TopicAndPartition, bool> ownedByOther, long now)
    {
        switch (member.State)
        {
            case MemberReconciliation.UnrevokedPartitions:
                // Still waiting while the member has not said it let the revoked partitions go.
                if (owned is null || owned.Overlaps(member.Revoking)) return false;
                return Next(member, target, targetEpoch, ownedByOther, now);
            case MemberReconciliation.UnreleasedPartitions:
                return Next(member, target, targetEpoch, ownedByOther, now);
            default:
                if (member.MemberEpoch == targetEpoch && member.Assigned.SetEquals(target)) return false;
                return Next(member, target, targetEpoch, ownedByOther, now);
        }
    }

    private static bool Next(ConsumerProtocolMember member, IReadOnlySet<TopicAndPartition> target, int targetEpoch,
        Func<TopicAndPartition, bool> ownedByOther, long now)
    {
        var keep = new HashSet<TopicAndPartition>(member.Assigned.Where(target.Contains));
        var revoke = new HashSet<TopicAndPartition>(member.Assigned.Where(p => !target.Contains(p)));
        bool unreleased = false;
        var before = (member.MemberEpoch, member.State, Assigned: member.Assigned.ToHashSet(), Revoking: member.Revoking.ToHashSet());
        if (revoke.Count > 0)
        {
            // Revoke first; new partitions wait for the acknowledgement, and the epoch stays.
            member.Assigned = keep;
            member.Revoking = revoke;
            member.State = MemberReconciliation.UnrevokedPartitions;
            if (before.State != MemberReconciliation.UnrevokedPartitions) member.RevocationDeadline = now + member.RebalanceTimeoutMs;
        }
        else
        {
            foreach (TopicAndPartition tp in target)
            {
                if (keep.Contains(tp)) continue;
                if (ownedByOther(tp)) unreleased = true;
                else keep.Add(tp);
            }
            member.Assigned = keep;
            member.Revoking = [];
            member.RevocationDeadline = long.MaxValue;
            if (member.MemberEpoch != targetEpoch)
            {
                member.PreviousMemberEpoch = member.MemberEpoch;
                member.MemberEpoch = targetEpoch;
            }
            member.State = unreleased ? MemberReconciliation.UnreleasedPartitions : MemberReconciliation.Stable;
        }
        return before.MemberEpoch != member.MemberEpoch || !before.Assigned.SetEquals(member.Assigned) || !before.Revoking.SetEquals(member.Revoking);
    }
}
