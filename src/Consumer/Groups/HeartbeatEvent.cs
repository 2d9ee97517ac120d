using KafkaNative.Protocol;

namespace KafkaNative.Consumer.Groups;

/// <summary>What a generation's <see cref="HeartbeatLoop"/> tells the member.</summary>
internal enum HeartbeatEventKind
{
    /// <summary>The group is rebalancing: rejoin (heartbeats go on until the member does).</summary>
    RebalanceNeeded,

    /// <summary>The coordinator no longer knows this member or generation: the partitions are lost.</summary>
    MembershipLost,

    /// <summary>The application stayed away longer than MaxPollInterval: the member left the group.</summary>
    PollTimeout,

    /// <summary>The member cannot continue (fenced).</summary>
    Fatal,
}

/// <summary>One event of a generation's heartbeat loop.</summary>
internal sealed record HeartbeatEvent(HeartbeatEventKind Kind, ErrorCode Error = ErrorCode.None, string Reason = "", Exception? Exception = null);
