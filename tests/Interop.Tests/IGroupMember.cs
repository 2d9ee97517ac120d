namespace KafkaNative.Interop.Tests;

/// <summary>A member of a mixed consumer group, of either client, consuming in the background into a <see cref="GroupLedger"/>.</summary>
internal interface IGroupMember : IAsyncDisposable
{
    string Name { get; }

    /// <summary>The partitions it owns now.</summary>
    IReadOnlyList<int> Partitions { get; }

    /// <summary>Leaves as a closing application does: commits, then LeaveGroup.</summary>
    Task LeaveAsync();

    /// <summary>Stops as a crashed process does: no commit, no LeaveGroup; the coordinator notices at the session timeout.</summary>
    Task CrashAsync();
}
