using System.Runtime.CompilerServices;

namespace KafkaNative.Protocol;

/// <summary>
/// Table-driven details of <see cref="ErrorCode"/> values: the Kafka name, a short description and
/// whether the client may retry. No reflection; known codes never allocate.
/// </summary>
public static class ErrorCodes
{
    private const short MinCode = -1;

    /// <summary>The highest error code this library knows.</summary>
    public const short MaxKnownCode = 133;

    // Indexed by code - MinCode. Rows: Kafka name, retriable, description.
    private static readonly Entry[] Table =
    [
        new("UNKNOWN_SERVER_ERROR", false, "The broker hit an unexpected failure while handling the request."),
        new("NONE", false, "No error."),
        new("OFFSET_OUT_OF_RANGE", false, "The requested offset lies outside the range the broker keeps for the partition."),
        new("CORRUPT_MESSAGE", true, "A message failed its checksum, has an invalid size, or is otherwise damaged."),
        new("UNKNOWN_TOPIC_OR_PARTITION", true, "The broker does not host this topic or partition."),
        new("INVALID_FETCH_SIZE", false, "The fetch size in the request is not valid."),
        new("LEADER_NOT_AVAILABLE", true, "The partition has no leader right now, usually because an election is under way."),
        new("NOT_LEADER_OR_FOLLOWER", true, "The broker is not the leader (or not a replica) for the partition."),
        new("REQUEST_TIMED_OUT", true, "The request timed out on the broker."),
        new("BROKER_NOT_AVAILABLE", false, "The broker is not available."),
        new("REPLICA_NOT_AVAILABLE", true, "The replica for the partition is not available."),
        new("MESSAGE_TOO_LARGE", false, "A message is larger than the broker accepts."),
        new("STALE_CONTROLLER_EPOCH", false, "The controller epoch in the request is out of date."),
        new("OFFSET_METADATA_TOO_LARGE", false, "The metadata attached to the committed offset is too large."),
        new("NETWORK_EXCEPTION", true, "The connection closed before a response arrived."),
        new("COORDINATOR_LOAD_IN_PROGRESS", true, "The coordinator is still loading its state."),
        new("COORDINATOR_NOT_AVAILABLE", true, "The coordinator is not available."),
        new("NOT_COORDINATOR", true, "The broker is not the coordinator for this group or transaction."),
        new("INVALID_TOPIC_EXCEPTION", false, "The topic name or operation on the topic is not valid."),
        new("RECORD_LIST_TOO_LARGE", false, "The record batch is larger than the broker's segment size."),
        new("NOT_ENOUGH_REPLICAS", true, "Too few in-sync replicas to accept the write."),
        new("NOT_ENOUGH_REPLICAS_AFTER_APPEND", true, "The write was stored but fewer in-sync replicas than required have it."),
        new("INVALID_REQUIRED_ACKS", false, "The acks value of the produce request is not valid."),
        new("ILLEGAL_GENERATION", false, "The group generation in the request is not current."),
        new("INCONSISTENT_GROUP_PROTOCOL", false, "The member's protocols do not match those of the group."),
        new("INVALID_GROUP_ID", false, "The group id is not valid."),
        new("UNKNOWN_MEMBER_ID", false, "The coordinator does not know this member id."),
        new("INVALID_SESSION_TIMEOUT", false, "The session timeout is outside the range the broker allows."),
        new("REBALANCE_IN_PROGRESS", false, "The group is rebalancing; the member must rejoin."),
        new("INVALID_COMMIT_OFFSET_SIZE", false, "The offset commit data has an invalid size."),
        new("TOPIC_AUTHORIZATION_FAILED", false, "Not authorized to access the topic."),
        new("GROUP_AUTHORIZATION_FAILED", false, "Not authorized to access the group."),
        new("CLUSTER_AUTHORIZATION_FAILED", false, "Not authorized to perform the cluster operation."),
        new("INVALID_TIMESTAMP", false, "A record timestamp is outside the accepted range."),
        new("UNSUPPORTED_SASL_MECHANISM", false, "The broker does not support the SASL mechanism."),
        new("ILLEGAL_SASL_STATE", false, "The request is not allowed in the current SASL state."),
        new("UNSUPPORTED_VERSION", false, "The broker does not support this API version."),
        new("TOPIC_ALREADY_EXISTS", false, "A topic with this name already exists."),
        new("INVALID_PARTITIONS", false, "The partition count is not valid."),
        new("INVALID_REPLICATION_FACTOR", false, "The replication factor is not valid for this cluster."),
        new("INVALID_REPLICA_ASSIGNMENT", false, "The replica assignment is not valid."),
        new("INVALID_CONFIG", false, "The configuration is not valid."),
        new("NOT_CONTROLLER", true, "The broker is not the active controller."),
        new("INVALID_REQUEST", false, "The request is malformed or not valid for this broker; the broker log has details."),
        new("UNSUPPORTED_FOR_MESSAGE_FORMAT", false, "The message format on the broker does not support the request."),
        new("POLICY_VIOLATION", false, "The request breaks a policy configured on the broker."),
        new("OUT_OF_ORDER_SEQUENCE_NUMBER", false, "The broker got a producer sequence number out of order."),
        new("DUPLICATE_SEQUENCE_NUMBER", false, "The broker got a producer sequence number it already saw."),
        new("INVALID_PRODUCER_EPOCH", false, "The producer epoch is older than the current one."),
        new("INVALID_TXN_STATE", false, "The transactional operation is not valid in the transaction's current state."),
        new("INVALID_PRODUCER_ID_MAPPING", false, "The producer id is not assigned to this transactional id."),
        new("INVALID_TRANSACTION_TIMEOUT", false, "The transaction timeout exceeds the broker's maximum."),
        new("CONCURRENT_TRANSACTIONS", true, "Another operation on the same transaction is still in progress."),
        new("TRANSACTION_COORDINATOR_FENCED", false, "The transaction coordinator that sent the marker has been replaced."),
        new("TRANSACTIONAL_ID_AUTHORIZATION_FAILED", false, "Not authorized to use the transactional id."),
        new("SECURITY_DISABLED", false, "Security features are turned off on the broker."),
        new("OPERATION_NOT_ATTEMPTED", false, "The broker skipped this operation because another in the same batch failed."),
        new("KAFKA_STORAGE_ERROR", true, "The broker could not access the log on disk."),
        new("LOG_DIR_NOT_FOUND", false, "The requested log directory is not configured on the broker."),
        new("SASL_AUTHENTICATION_FAILED", false, "SASL authentication failed."),
        new("UNKNOWN_PRODUCER_ID", false, "The broker has no state for this producer id, for example after its records expired."),
        new("REASSIGNMENT_IN_PROGRESS", false, "A partition reassignment is under way."),
        new("DELEGATION_TOKEN_AUTH_DISABLED", false, "Delegation tokens are not enabled."),
        new("DELEGATION_TOKEN_NOT_FOUND", false, "The delegation token does not exist."),
        new("DELEGATION_TOKEN_OWNER_MISMATCH", false, "The principal is not the owner or renewer of the token."),
        new("DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", false, "Delegation token requests are not allowed on this kind of connection."),
        new("DELEGATION_TOKEN_AUTHORIZATION_FAILED", false, "Not authorized for the delegation token operation."),
        new("DELEGATION_TOKEN_EXPIRED", false, "The delegation token has expired."),
        new("INVALID_PRINCIPAL_TYPE", false, "The principal type is not supported."),
        new("NON_EMPTY_GROUP", false, "The group still has members."),
        new("GROUP_ID_NOT_FOUND", false, "The group does not exist."),
        new("FETCH_SESSION_ID_NOT_FOUND", true, "The fetch session is unknown to the broker."),
        new("INVALID_FETCH_SESSION_EPOCH", true, "The fetch session epoch does not match."),
        new("LISTENER_NOT_FOUND", true, "The leader has no listener matching the one the metadata request came in on."),
        new("TOPIC_DELETION_DISABLED", false, "Topic deletion is turned off."),
        new("FENCED_LEADER_EPOCH", true, "The leader epoch in the request is older than the broker's."),
        new("UNKNOWN_LEADER_EPOCH", true, "The leader epoch in the request is newer than the broker's."),
        new("UNSUPPORTED_COMPRESSION_TYPE", false, "The client cannot handle the partition's compression type."),
        new("STALE_BROKER_EPOCH", false, "The broker epoch has changed."),
        new("OFFSET_NOT_AVAILABLE", true, "The new leader's high watermark has not caught up yet, so offsets are not available."),
        new("MEMBER_ID_REQUIRED", false, "The member must join again with the member id the coordinator assigned."),
        new("PREFERRED_LEADER_NOT_AVAILABLE", true, "The preferred leader is not available."),
        new("GROUP_MAX_SIZE_REACHED", false, "The group already has its maximum number of members."),
        new("FENCED_INSTANCE_ID", false, "Another member with the same group instance id replaced this one."),
        new("ELIGIBLE_LEADERS_NOT_AVAILABLE", true, "No eligible leader is available for the partition."),
        new("ELECTION_NOT_NEEDED", true, "The partition does not need a leader election."),
        new("NO_REASSIGNMENT_IN_PROGRESS", false, "No partition reassignment is under way."),
        new("GROUP_SUBSCRIBED_TO_TOPIC", false, "Offsets cannot be deleted while the group is subscribed to the topic."),
        new("INVALID_RECORD", false, "The broker rejected a record that failed validation."),
        new("UNSTABLE_OFFSET_COMMIT", true, "Pending transactional offsets must be resolved first."),
        new("THROTTLING_QUOTA_EXCEEDED", true, "The request exceeded a throttling quota."),
        new("PRODUCER_FENCED", false, "A newer producer with the same transactional id fenced this one."),
        new("RESOURCE_NOT_FOUND", false, "The request names a resource that does not exist."),
        new("DUPLICATE_RESOURCE", false, "The request names the same resource twice."),
        new("UNACCEPTABLE_CREDENTIAL", false, "The credential does not meet the acceptance criteria."),
        new("INCONSISTENT_VOTER_SET", false, "The sender or receiver is not one of the expected voters."),
        new("INVALID_UPDATE_VERSION", false, "The update version is not valid."),
        new("FEATURE_UPDATE_FAILED", false, "The finalized features could not be updated."),
        new("PRINCIPAL_DESERIALIZATION_FAILURE", false, "A forwarded request's principal could not be deserialized."),
        new("SNAPSHOT_NOT_FOUND", false, "The requested snapshot does not exist."),
        new("POSITION_OUT_OF_RANGE", false, "The position is outside the snapshot."),
        new("UNKNOWN_TOPIC_ID", true, "The broker does not host a topic with this id."),
        new("DUPLICATE_BROKER_REGISTRATION", false, "This broker id is already registered."),
        new("BROKER_ID_NOT_REGISTERED", false, "This broker id is not registered."),
        new("INCONSISTENT_TOPIC_ID", true, "The topic id in the request does not match the log's."),
        new("INCONSISTENT_CLUSTER_ID", false, "The cluster id in the request does not match the server's."),
        new("TRANSACTIONAL_ID_NOT_FOUND", false, "The transactional id does not exist."),
        new("FETCH_SESSION_TOPIC_ID_ERROR", true, "The fetch session used topic ids inconsistently."),
        new("INELIGIBLE_REPLICA", false, "The proposed ISR contains a replica that is not eligible."),
        new("NEW_LEADER_ELECTED", false, "The partition state was updated but the leader changed."),
        new("OFFSET_MOVED_TO_TIERED_STORAGE", false, "The offset now lives in tiered storage."),
        new("FENCED_MEMBER_EPOCH", false, "The member epoch was fenced; the member must give up its partitions and rejoin."),
        new("UNRELEASED_INSTANCE_ID", false, "Another member still holds this instance id."),
        new("UNSUPPORTED_ASSIGNOR", false, "The group does not support the assignor or its version."),
        new("STALE_MEMBER_EPOCH", false, "The member epoch is stale; retry after the next heartbeat."),
        new("MISMATCHED_ENDPOINT_TYPE", false, "The request went to the wrong kind of endpoint."),
        new("UNSUPPORTED_ENDPOINT_TYPE", false, "This kind of endpoint is not supported yet."),
        new("UNKNOWN_CONTROLLER_ID", false, "The controller id is unknown."),
        new("UNKNOWN_SUBSCRIPTION_ID", false, "The telemetry subscription id is unknown or outdated."),
        new("TELEMETRY_TOO_LARGE", false, "The telemetry payload is larger than the broker accepts."),
        new("INVALID_REGISTRATION", false, "The controller considers the broker registration invalid."),
        new("TRANSACTION_ABORTABLE", false, "The transaction hit an error; abort it to keep using the transactional id."),
        new("INVALID_RECORD_STATE", false, "The record's state does not allow the acknowledgement."),
        new("SHARE_SESSION_NOT_FOUND", true, "The share session is unknown to the broker."),
        new("INVALID_SHARE_SESSION_EPOCH", true, "The share session epoch does not match."),
        new("FENCED_STATE_EPOCH", false, "The share group state epoch does not match."),
        new("INVALID_VOTER_KEY", false, "The voter key does not match the replica's."),
        new("DUPLICATE_VOTER", false, "The voter is already in the voter set."),
        new("VOTER_NOT_FOUND", false, "The voter is not in the voter set."),
        new("INVALID_REGULAR_EXPRESSION", false, "The regular expression is not valid."),
        new("REBOOTSTRAP_REQUIRED", false, "The client's metadata is stale and it must bootstrap again."),
        new("STREAMS_INVALID_TOPOLOGY", false, "The Streams topology is not valid."),
        new("STREAMS_INVALID_TOPOLOGY_EPOCH", false, "The Streams topology epoch is not valid."),
        new("STREAMS_TOPOLOGY_FENCED", false, "The Streams topology epoch is out of date."),
        new("SHARE_SESSION_LIMIT_REACHED", true, "The broker already has its maximum number of share sessions."),
    ];

    /// <summary>True when <paramref name="code"/> is one this library knows by name.</summary>
    public static bool IsKnown(this ErrorCode code) => (uint)((int)code - MinCode) < (uint)Table.Length;

    /// <summary>
    /// True when the error is transient and the same request may succeed if sent again (possibly
    /// after refreshing metadata): Kafka's exception for the code is a <c>RetriableException</c>.
    /// Unknown codes are not retriable.
    /// </summary>
    public static bool IsRetriable(this ErrorCode code) => TryGet(code, out Entry entry) && entry.Retriable;

    /// <summary>Kafka's upper-snake name for the code, e.g. <c>NOT_LEADER_OR_FOLLOWER</c>; <c>UNKNOWN_CODE_n</c> for codes this library does not know.</summary>
    public static string Name(this ErrorCode code) =>
        TryGet(code, out Entry entry) ? entry.Name : "UNKNOWN_CODE_" + ((short)code).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A short description of the error, in this library's words.</summary>
    public static string Message(this ErrorCode code) =>
        TryGet(code, out Entry entry) ? entry.Message : "The broker returned an error code this client does not know.";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryGet(ErrorCode code, out Entry entry)
    {
        uint index = (uint)((int)code - MinCode);
        Entry[] table = Table;
        if (index < (uint)table.Length)
        {
            entry = table[index];
            return true;
        }
        entry = default;
        return false;
    }

    private readonly record struct Entry(string Name, bool Retriable, string Message);
}
