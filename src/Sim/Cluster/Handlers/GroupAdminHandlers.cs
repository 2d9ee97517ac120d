using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Groups;

namespace KafkaNative.Sim.Handlers;

/// <summary>
/// DeleteGroups: an empty group goes with its committed offsets; a group with members gets NON_EMPTY_GROUP and
/// one that does not exist GROUP_ID_NOT_FOUND, as Kafka answers.
/// </summary>
internal static class DeleteGroupsHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, DeleteGroupsRequest request)
    {
        var response = new DeleteGroupsResponse();
        foreach (string groupId in request.GroupsNames)
        {
            ErrorCode error = broker.Groups.IsConsumerGroup(groupId)
                ? broker.Groups.UseConsumer(groupId, create: false, group => DeleteConsumer(broker.Cluster, groupId, group))
                : broker.Groups.Use(groupId, create: false, group => Delete(broker.Cluster, groupId, group));
            response.Results.Add(new DeleteGroupsResponse.DeletableGroupResult { GroupId = groupId, ErrorCode = (short)error });
        }
        context.Respond(response);
    }

    public static DeleteGroupsResponse Error(DeleteGroupsRequest request, ErrorCode error, short version) => new()
    {
        Results = request.GroupsNames.Select(g => new DeleteGroupsResponse.DeletableGroupResult { GroupId = g, ErrorCode = (short)error }).ToList(),
    };

    private static ErrorCode DeleteConsumer(ClusterContext cluster, string groupId, ConsumerProtocolGroup? group)
    {
        if (group is null) return ErrorCode.GroupIdNotFound;
        if (group.Members.Count > 0) return ErrorCode.NonEmptyGroup;
        cluster.GroupStore.RemoveConsumer(groupId);
        cluster.Offsets.RemoveGroup(groupId);
        return ErrorCode.None;
    }

    private static ErrorCode Delete(ClusterContext cluster, string groupId, ConsumerGroup? group)
    {
        // A group that only ever had offsets committed from outside (no member joined) exists too.
        if (group is null && !cluster.Offsets.HasAny(groupId)) return ErrorCode.GroupIdNotFound;
        if (group is { Members.Count: > 0 }) return ErrorCode.NonEmptyGroup;
        cluster.GroupStore.Remove(groupId);
        cluster.Offsets.RemoveGroup(groupId);
        return ErrorCode.None;
    }
}

/// <summary>
/// OffsetDelete: removes committed offsets of a group. While members consume a topic its partitions get
/// GROUP_SUBSCRIBED_TO_TOPIC; a non-consumer group with members gets NON_EMPTY_GROUP, as Kafka answers.
/// </summary>
internal static class OffsetDeleteHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, OffsetDeleteRequest request)
    {
        if (broker.Groups.IsConsumerGroup(request.GroupId))
        {
            // A consumer-protocol group: topics its members subscribe to (or own partitions of) are in use.
            HashSet<string> inUse = [];
            ErrorCode consumerError = broker.Groups.UseConsumer(request.GroupId, create: false, group =>
            {
                foreach (ConsumerProtocolMember member in group?.Members ?? [])
                {
                    inUse.UnionWith(member.SubscribedTopicNames);
                    inUse.UnionWith(member.Owned.Select(p => p.Topic));
                }
                return ErrorCode.None;
            });
            if (consumerError != ErrorCode.None)
            {
                context.Respond(Error(request, consumerError, context.ApiVersion));
                return;
            }
            context.Respond(DeleteOffsets(broker, request, inUse));
            return;
        }
        OffsetDeleteResponse? classic = null;
        ErrorCode error = broker.Groups.Use(request.GroupId, create: false, group =>
        {
            if (group is null && !broker.Cluster.Offsets.HasAny(request.GroupId)) return ErrorCode.GroupIdNotFound;
            if (group is { Members.Count: > 0 } && group.ProtocolType != "consumer") return ErrorCode.NonEmptyGroup;
            classic = DeleteOffsets(broker, request, group is null ? [] : Subscriptions.TopicsOf(group));
            return ErrorCode.None;
        });
        context.Respond(classic ?? Error(request, error, context.ApiVersion));
    }

    private static OffsetDeleteResponse DeleteOffsets(SimulatedBroker broker, OffsetDeleteRequest request, HashSet<string> subscribed)
    {
        var response = new OffsetDeleteResponse();
        foreach (OffsetDeleteRequest.OffsetDeleteRequestTopic topic in request.Topics)
        {
            ErrorCode topicError = broker.Cluster.Controller.Topic(topic.Name) is null ? ErrorCode.UnknownTopicOrPartition
                : subscribed.Contains(topic.Name) ? ErrorCode.GroupSubscribedToTopic
                : ErrorCode.None;
            var topicResponse = new OffsetDeleteResponse.OffsetDeleteResponseTopic { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (OffsetDeleteRequest.OffsetDeleteRequestPartition partition in topic.Partitions)
            {
                if (topicError == ErrorCode.None) broker.Cluster.Offsets.Remove(request.GroupId, new TopicAndPartition(topic.Name, partition.PartitionIndex));
                topicResponse.Partitions.Add(new OffsetDeleteResponse.OffsetDeleteResponsePartition { PartitionIndex = partition.PartitionIndex, ErrorCode = (short)topicError });
            }
        }
        return response;
    }

    public static OffsetDeleteResponse Error(OffsetDeleteRequest request, ErrorCode error, short version) => new() { ErrorCode = (short)error };
}
