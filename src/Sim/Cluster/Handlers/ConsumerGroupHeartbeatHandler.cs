using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Groups;
using KafkaNative.Sim.Groups.Assignors;

namespace KafkaNative.Sim.Handlers;

/// <summary>
/// ConsumerGroupHeartbeat (KIP-848): checks the request as Kafka's GroupCoordinatorService does, then hands it to the
/// consumer-protocol group. v0: the coordinator makes up the member id of a member joining without one; v1 (Kafka 4.0)
/// adds SubscribedTopicRegex and requires the member to choose its own id (KIP-1082). A group id that names a classic
/// group with members answers GROUP_ID_NOT_FOUND (the Sim does not upgrade classic groups online); an empty classic group
/// becomes a consumer-protocol group.
/// </summary>
internal static class ConsumerGroupHeartbeatHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, ConsumerGroupHeartbeatRequest request)
    {
        if (Invalid(request, context.ApiVersion) is string message)
        {
            context.Respond(Refusal(ErrorCode.InvalidRequest, message));
            return;
        }
        if (request.ServerAssignor is string assignor && ServerAssignors.Find(assignor) is null)
        {
            context.Respond(Refusal(ErrorCode.UnsupportedAssignor, $"ServerAssignor {assignor} is not supported. Supported assignors: uniform, range."));
            return;
        }
        ConsumerGroupHeartbeatResponse? response = null;
        ErrorCode error = broker.Groups.Use(request.GroupId, create: false, classic =>
        {
            if (classic is null) return ErrorCode.None;
            if (classic.Members.Count > 0) return ErrorCode.GroupIdNotFound;
            broker.Cluster.GroupStore.Remove(request.GroupId);
            return ErrorCode.None;
        });
        if (error == ErrorCode.GroupIdNotFound)
        {
            context.Respond(Refusal(error, $"Group {request.GroupId} is not a consumer group."));
            return;
        }
        if (error == ErrorCode.None)
        {
            error = broker.Groups.UseConsumer(request.GroupId, create: request.MemberEpoch == 0, group =>
            {
                // A heartbeat (not a join) for a group the coordinator does not know, as Kafka's getOrMaybeCreateConsumerGroup answers it.
                if (group is null)
                {
                    response = Refusal(ErrorCode.GroupIdNotFound, $"Consumer group {request.GroupId} not found.");
                    return ErrorCode.None;
                }
                try
                {
                    response = group.Heartbeat(context, request, broker.Cluster.Controller.AllTopics(), broker.Cluster.NowMs);
                }
                catch (HeartbeatRefused refused)
                {
                    response = Refusal(refused.Error, refused.Message);
                }
                return ErrorCode.None;
            });
        }
        context.Respond(response ?? Refusal(error, null));
    }

    public static ConsumerGroupHeartbeatResponse Error(ConsumerGroupHeartbeatRequest request, ErrorCode error, short version) => Refusal(error, null);

    private static ConsumerGroupHeartbeatResponse Refusal(ErrorCode error, string? message) => new() { ErrorCode = (short)error, ErrorMessage = message };

    /// <summary>Kafka's throwIfConsumerGroupHeartbeatRequestIsInvalid: the message of INVALID_REQUEST, or null.</summary>
    private static string? Invalid(ConsumerGroupHeartbeatRequest request, short version)
    {
        if (request.GroupId.Length == 0) return "GroupId can't be empty.";
        if (request.InstanceId is { Length: 0 }) return "InstanceId can't be empty.";
        if (request.RackId is { Length: 0 }) return "RackId can't be empty.";
        if (version >= 1 && request.MemberId.Length == 0) return "MemberId can't be empty.";
        if (request.MemberEpoch > 0 && request.MemberId.Length == 0) return "MemberId can't be empty.";
        if (request.MemberEpoch == 0)
        {
            if (request.RebalanceTimeoutMs == -1) return "RebalanceTimeoutMs must be provided in first request.";
            if (request.TopicPartitions is not { Count: 0 }) return "TopicPartitions must be empty when (re-)joining.";
            bool names = request.SubscribedTopicNames is { Count: > 0 }, regex = request.SubscribedTopicRegex is { Length: > 0 };
            if (!names && !regex) return "SubscribedTopicNames or SubscribedTopicRegex must be set in first request.";
        }
        else if (request.MemberEpoch == ConsumerProtocolGroup.LeaveStaticMemberEpoch)
        {
            if (request.InstanceId is null) return "InstanceId can't be null.";
        }
        else if (request.MemberEpoch < ConsumerProtocolGroup.LeaveStaticMemberEpoch)
        {
            return "MemberEpoch is invalid.";
        }
        if (request.SubscribedTopicRegex is { Length: > 0 } pattern && TopicRegex.TryParse(pattern) is null)
            return $"SubscribedTopicRegex {pattern} is not a valid regular expression.";
        return null;
    }
}
