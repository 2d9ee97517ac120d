namespace KafkaNative.Admin;

/// <summary>A group as ListGroups reports it.</summary>
/// <param name="GroupId">The group id.</param>
/// <param name="ProtocolType">The protocol type, <c>consumer</c> for consumer groups.</param>
/// <param name="State">The group state (for example <c>Stable</c>), when the broker reports it.</param>
/// <param name="Type">The group type (<c>classic</c>, <c>consumer</c>…), when the broker reports it.</param>
public sealed record GroupListing(string GroupId, string ProtocolType, string? State, string? Type);
