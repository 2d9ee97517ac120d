using KafkaNative.Protocol.Messages;

namespace KafkaNative.Consumer.Groups;

/// <summary>
/// LeaveGroup in the shape each version takes: v0-2 name one member in MemberId; v3+ list members
/// (member id and group instance id, KIP-345), and v5 adds the reason (KIP-800).
/// </summary>
internal static class LeaveGroupRequests
{
    public static LeaveGroupRequest Build(short version, string groupId, string memberId, string? groupInstanceId, string reason)
    {
        var request = new LeaveGroupRequest { GroupId = groupId };
        if (version <= 2)
        {
            request.MemberId = memberId;
            return request;
        }
        request.Members.Add(new LeaveGroupRequest.MemberIdentity
        {
            MemberId = memberId,
            GroupInstanceId = groupInstanceId,
            Reason = version >= 5 ? reason : null,
        });
        return request;
    }
}
