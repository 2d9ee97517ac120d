namespace KafkaNative.Admin;

/// <summary>A group as DescribeGroups reports it.</summary>
/// <param name="GroupId">The group id.</param>
/// <param name="State">The group state.</param>
/// <param name="ProtocolType">The protocol type.</param>
/// <param name="Protocol">The chosen protocol (for consumer groups, the assignor).</param>
/// <param name="Members">The members.</param>
public sealed record GroupDescription(string GroupId, string State, string ProtocolType, string Protocol, IReadOnlyList<GroupMemberDescription> Members);

/// <summary>A member of a group.</summary>
/// <param name="MemberId">The member id the coordinator assigned.</param>
/// <param name="GroupInstanceId">The static member id, if any.</param>
/// <param name="ClientId">The member's client id.</param>
/// <param name="ClientHost">The member's host.</param>
public sealed record GroupMemberDescription(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost);
