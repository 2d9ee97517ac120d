using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Groups;

namespace KafkaNative.Sim.Handlers;

/// <summary>
/// ConsumerGroupDescribe (KIP-848): state, epochs, assignor and members (subscriptions, current and target assignments)
/// of consumer-protocol groups. A group id that is not one (a classic group, or none) answers GROUP_ID_NOT_FOUND, as Kafka does.
/// </summary>
internal static class ConsumerGroupDescribeHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, ConsumerGroupDescribeRequest request)
    {
        var response = new ConsumerGroupDescribeResponse();
        IReadOnlyList<TopicSnapshot> topics = broker.Cluster.Controller.AllTopics();
        foreach (string groupId in request.GroupIds)
        {
            ConsumerGroupDescribeResponse.DescribedGroup? described = null;
            ErrorCode error = broker.Groups.UseConsumer(groupId, create: false, group =>
            {
                if (group is null) return ErrorCode.GroupIdNotFound;
                described = Describe(group, topics);
                return ErrorCode.None;
            });
            response.Groups.Add(described ?? new ConsumerGroupDescribeResponse.DescribedGroup
            {
                GroupId = groupId,
                ErrorCode = (short)error,
                ErrorMessage = error == ErrorCode.GroupIdNotFound ? $"Group {groupId} not found." : null,
            });
        }
        context.Respond(response);
    }

    public static ConsumerGroupDescribeResponse Error(ConsumerGroupDescribeRequest request, ErrorCode error, short version) => new()
    {
        Groups = request.GroupIds.Select(g => new ConsumerGroupDescribeResponse.DescribedGroup { GroupId = g, ErrorCode = (short)error }).ToList(),
    };

    private static ConsumerGroupDescribeResponse.DescribedGroup Describe(ConsumerProtocolGroup group, IReadOnlyList<TopicSnapshot> topics) => new()
    {
        ErrorCode = (short)ErrorCode.None,
        GroupId = group.GroupId,
        GroupState = group.State,
        GroupEpoch = group.GroupEpoch,
        AssignmentEpoch = group.AssignmentEpoch,
        AssignorName = group.AssignorName,
        Members = group.Members.Select(m => new ConsumerGroupDescribeResponse.Member
        {
            MemberId = m.MemberId,
            InstanceId = m.InstanceId,
            RackId = m.RackId,
            MemberEpoch = m.MemberEpoch,
            ClientId = m.ClientId,
            ClientHost = m.ClientHost,
            SubscribedTopicNames = m.SubscribedTopicNames.ToList(),
            SubscribedTopicRegex = m.SubscribedTopicRegex,
            Assignment = Assignment(m.Assigned, topics),
            TargetAssignment = Assignment(group.TargetOf(m.MemberId), topics),
        }).ToList(),
    };

    private static ConsumerGroupDescribeResponse.Assignment Assignment(IEnumerable<TopicAndPartition> partitions, IReadOnlyList<TopicSnapshot> topics) => new()
    {
        TopicPartitions = partitions.GroupBy(p => p.Topic).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Where(g => topics.Any(t => t.Name == g.Key))
            .Select(g => new ConsumerGroupDescribeResponse.TopicPartitions
            {
                TopicId = topics.First(t => t.Name == g.Key).Id,
                TopicName = g.Key,
                Partitions = g.Select(p => p.Partition).Order().ToList(),
            }).ToList(),
    };
}
