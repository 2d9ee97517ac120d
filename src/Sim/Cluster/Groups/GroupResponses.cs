using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Sim.Groups;

/// <summary>The JoinGroup and SyncGroup answers a <see cref="ConsumerGroup"/> gives.</summary>
internal static class GroupResponses
{
    /// <summary>The current generation; the leader also gets every member's metadata for the chosen protocol.</summary>
    public static JoinGroupResponse Join(ConsumerGroup group, GroupMember member) => new()
    {
        ErrorCode = (short)ErrorCode.None,
        GenerationId = group.GenerationId,
        ProtocolType = group.ProtocolType,
        ProtocolName = group.ProtocolName,
        Leader = group.LeaderId ?? "",
        MemberId = member.MemberId,
        Members = member.MemberId == group.LeaderId
            ? group.Members.Select(m => new JoinGroupResponse.JoinGroupResponseMember
            {
                MemberId = m.MemberId,
                GroupInstanceId = m.GroupInstanceId,
                Metadata = m.MetadataFor(group.ProtocolName!) ?? [],
            }).ToList()
            : [],
    };

    public static JoinGroupResponse JoinError(ErrorCode error, string memberId, short version) => new()
    {
        ErrorCode = (short)error,
        GenerationId = -1,
        ProtocolName = version >= 7 ? null : "",
        Leader = "",
        MemberId = memberId,
    };

    public static SyncGroupResponse Sync(ConsumerGroup group, ErrorCode error, byte[] assignment) => new()
    {
        ErrorCode = (short)error,
        ProtocolType = group.ProtocolType,
        ProtocolName = group.ProtocolName,
        Assignment = assignment,
    };
}
