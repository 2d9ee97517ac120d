namespace KafkaNative.Protocol;

/// <summary>
/// Error codes carried in Kafka responses, numbered as on the wire. Covers every code up to
/// Kafka 4.1 (the codes of Kafka 4.0 plus the four added in 4.1). Use
/// <see cref="ErrorCodes.Name(ErrorCode)"/>, <see cref="ErrorCodes.Message(ErrorCode)"/> and
/// <see cref="ErrorCodes.IsRetriable(ErrorCode)"/> for details; codes this enum does not name are
/// valid values too and are treated as unknown, non-retriable errors.
/// </summary>
public enum ErrorCode : short
{
    /// <summary>UNKNOWN_SERVER_ERROR (not retriable): The broker hit an unexpected failure while handling the request.</summary>
    UnknownServerError = -1,

    /// <summary>NONE (not retriable): No error.</summary>
    None = 0,

    /// <summary>OFFSET_OUT_OF_RANGE (not retriable): The requested offset lies outside the range the broker keeps for the partition.</summary>
    OffsetOutOfRange = 1,

    /// <summary>CORRUPT_MESSAGE (retriable): A message failed its checksum, has an invalid size, or is otherwise damaged.</summary>
    CorruptMessage = 2,

    /// <summary>UNKNOWN_TOPIC_OR_PARTITION (retriable): The broker does not host this topic or partition.</summary>
    UnknownTopicOrPartition = 3,

    /// <summary>INVALID_FETCH_SIZE (not retriable): The fetch size in the request is not valid.</summary>
    InvalidFetchSize = 4,

    /// <summary>LEADER_NOT_AVAILABLE (retriable): The partition has no leader right now, usually because an election is under way.</summary>
    LeaderNotAvailable = 5,

    /// <summary>NOT_LEADER_OR_FOLLOWER (retriable): The broker is not the leader (or not a replica) for the partition.</summary>
    NotLeaderOrFollower = 6,

    /// <summary>REQUEST_TIMED_OUT (retriable): The request timed out on the broker.</summary>
    RequestTimedOut = 7,

    /// <summary>BROKER_NOT_AVAILABLE (not retriable): The broker is not available.</summary>
    BrokerNotAvailable = 8,

    /// <summary>REPLICA_NOT_AVAILABLE (retriable): The replica for the partition is not available.</summary>
    ReplicaNotAvailable = 9,

    /// <summary>MESSAGE_TOO_LARGE (not retriable): A message is larger than the broker accepts.</summary>
    MessageTooLarge = 10,

    /// <summary>STALE_CONTROLLER_EPOCH (not retriable): The controller epoch in the request is out of date.</summary>
    StaleControllerEpoch = 11,

    /// <summary>OFFSET_METADATA_TOO_LARGE (not retriable): The metadata attached to the committed offset is too large.</summary>
    OffsetMetadataTooLarge = 12,

    /// <summary>NETWORK_EXCEPTION (retriable): The connection closed before a response arrived.</summary>
    NetworkException = 13,

    /// <summary>COORDINATOR_LOAD_IN_PROGRESS (retriable): The coordinator is still loading its state.</summary>
    CoordinatorLoadInProgress = 14,

    /// <summary>COORDINATOR_NOT_AVAILABLE (retriable): The coordinator is not available.</summary>
    CoordinatorNotAvailable = 15,

    /// <summary>NOT_COORDINATOR (retriable): The broker is not the coordinator for this group or transaction.</summary>
    NotCoordinator = 16,

    /// <summary>INVALID_TOPIC_EXCEPTION (not retriable): The topic name or operation on the topic is not valid.</summary>
    InvalidTopicException = 17,

    /// <summary>RECORD_LIST_TOO_LARGE (not retriable): The record batch is larger than the broker's segment size.</summary>
    RecordListTooLarge = 18,

    /// <summary>NOT_ENOUGH_REPLICAS (retriable): Too few in-sync replicas to accept the write.</summary>
    NotEnoughReplicas = 19,

    /// <summary>NOT_ENOUGH_REPLICAS_AFTER_APPEND (retriable): The write was stored but fewer in-sync replicas than required have it.</summary>
    NotEnoughReplicasAfterAppend = 20,

    /// <summary>INVALID_REQUIRED_ACKS (not retriable): The acks value of the produce request is not valid.</summary>
    InvalidRequiredAcks = 21,

    /// <summary>ILLEGAL_GENERATION (not retriable): The group generation in the request is not current.</summary>
    IllegalGeneration = 22,

    /// <summary>INCONSISTENT_GROUP_PROTOCOL (not retriable): The member's protocols do not match those of the group.</summary>
    InconsistentGroupProtocol = 23,

    /// <summary>INVALID_GROUP_ID (not retriable): The group id is not valid.</summary>
    InvalidGroupId = 24,

    /// <summary>UNKNOWN_MEMBER_ID (not retriable): The coordinator does not know this member id.</summary>
    UnknownMemberId = 25,

    /// <summary>INVALID_SESSION_TIMEOUT (not retriable): The session timeout is outside the range the broker allows.</summary>
    InvalidSessionTimeout = 26,

    /// <summary>REBALANCE_IN_PROGRESS (not retriable): The group is rebalancing; the member must rejoin.</summary>
    RebalanceInProgress = 27,

    /// <summary>INVALID_COMMIT_OFFSET_SIZE (not retriable): The offset commit data has an invalid size.</summary>
    InvalidCommitOffsetSize = 28,

    /// <summary>TOPIC_AUTHORIZATION_FAILED (not retriable): Not authorized to access the topic.</summary>
    TopicAuthorizationFailed = 29,

    /// <summary>GROUP_AUTHORIZATION_FAILED (not retriable): Not authorized to access the group.</summary>
    GroupAuthorizationFailed = 30,

    /// <summary>CLUSTER_AUTHORIZATION_FAILED (not retriable): Not authorized to perform the cluster operation.</summary>
    ClusterAuthorizationFailed = 31,

    /// <summary>INVALID_TIMESTAMP (not retriable): A record timestamp is outside the accepted range.</summary>
    InvalidTimestamp = 32,

    /// <summary>UNSUPPORTED_SASL_MECHANISM (not retriable): The broker does not support the SASL mechanism.</summary>
    UnsupportedSaslMechanism = 33,

    /// <summary>ILLEGAL_SASL_STATE (not retriable): The request is not allowed in the current SASL state.</summary>
    IllegalSaslState = 34,

    /// <summary>UNSUPPORTED_VERSION (not retriable): The broker does not support this API version.</summary>
    UnsupportedVersion = 35,

    /// <summary>TOPIC_ALREADY_EXISTS (not retriable): A topic with this name already exists.</summary>
    TopicAlreadyExists = 36,

    /// <summary>INVALID_PARTITIONS (not retriable): The partition count is not valid.</summary>
    InvalidPartitions = 37,

    /// <summary>INVALID_REPLICATION_FACTOR (not retriable): The replication factor is not valid for this cluster.</summary>
    InvalidReplicationFactor = 38,

    /// <summary>INVALID_REPLICA_ASSIGNMENT (not retriable): The replica assignment is not valid.</summary>
    InvalidReplicaAssignment = 39,

    /// <summary>INVALID_CONFIG (not retriable): The configuration is not valid.</summary>
    InvalidConfig = 40,

    /// <summary>NOT_CONTROLLER (retriable): The broker is not the active controller.</summary>
    NotController = 41,

    /// <summary>INVALID_REQUEST (not retriable): The request is malformed or not valid for this broker; the broker log has details.</summary>
    InvalidRequest = 42,

    /// <summary>UNSUPPORTED_FOR_MESSAGE_FORMAT (not retriable): The message format on the broker does not support the request.</summary>
    UnsupportedForMessageFormat = 43,

    /// <summary>POLICY_VIOLATION (not retriable): The request breaks a policy configured on the broker.</summary>
    PolicyViolation = 44,

    /// <summary>OUT_OF_ORDER_SEQUENCE_NUMBER (not retriable): The broker got a producer sequence number out of order.</summary>
    OutOfOrderSequenceNumber = 45,

    /// <summary>DUPLICATE_SEQUENCE_NUMBER (not retriable): The broker got a producer sequence number it already saw.</summary>
    DuplicateSequenceNumber = 46,

    /// <summary>INVALID_PRODUCER_EPOCH (not retriable): The producer epoch is older than the current one.</summary>
    InvalidProducerEpoch = 47,

    /// <summary>INVALID_TXN_STATE (not retriable): The transactional operation is not valid in the transaction's current state.</summary>
    InvalidTxnState = 48,

    /// <summary>INVALID_PRODUCER_ID_MAPPING (not retriable): The producer id is not assigned to this transactional id.</summary>
    InvalidProducerIdMapping = 49,

    /// <summary>INVALID_TRANSACTION_TIMEOUT (not retriable): The transaction timeout exceeds the broker's maximum.</summary>
    InvalidTransactionTimeout = 50,

    /// <summary>CONCURRENT_TRANSACTIONS (retriable): Another operation on the same transaction is still in progress.</summary>
    ConcurrentTransactions = 51,

    /// <summary>TRANSACTION_COORDINATOR_FENCED (not retriable): The transaction coordinator that sent the marker has been replaced.</summary>
    TransactionCoordinatorFenced = 52,

    /// <summary>TRANSACTIONAL_ID_AUTHORIZATION_FAILED (not retriable): Not authorized to use the transactional id.</summary>
    TransactionalIdAuthorizationFailed = 53,

    /// <summary>SECURITY_DISABLED (not retriable): Security features are turned off on the broker.</summary>
    SecurityDisabled = 54,

    /// <summary>OPERATION_NOT_ATTEMPTED (not retriable): The broker skipped this operation because another in the same batch failed.</summary>
    OperationNotAttempted = 55,

    /// <summary>KAFKA_STORAGE_ERROR (retriable): The broker could not access the log on disk.</summary>
    KafkaStorageError = 56,

    /// <summary>LOG_DIR_NOT_FOUND (not retriable): The requested log directory is not configured on the broker.</summary>
    LogDirNotFound = 57,

    /// <summary>SASL_AUTHENTICATION_FAILED (not retriable): SASL authentication failed.</summary>
    SaslAuthenticationFailed = 58,

    /// <summary>UNKNOWN_PRODUCER_ID (not retriable): The broker has no state for this producer id, for example after its records expired.</summary>
    UnknownProducerId = 59,

    /// <summary>REASSIGNMENT_IN_PROGRESS (not retriable): A partition reassignment is under way.</summary>
    ReassignmentInProgress = 60,

    /// <summary>DELEGATION_TOKEN_AUTH_DISABLED (not retriable): Delegation tokens are not enabled.</summary>
    DelegationTokenAuthDisabled = 61,

    /// <summary>DELEGATION_TOKEN_NOT_FOUND (not retriable): The delegation token does not exist.</summary>
    DelegationTokenNotFound = 62,

    /// <summary>DELEGATION_TOKEN_OWNER_MISMATCH (not retriable): The principal is not the owner or renewer of the token.</summary>
    DelegationTokenOwnerMismatch = 63,

    /// <summary>DELEGATION_TOKEN_REQUEST_NOT_ALLOWED (not retriable): Delegation token requests are not allowed on this kind of connection.</summary>
    DelegationTokenRequestNotAllowed = 64,

    /// <summary>DELEGATION_TOKEN_AUTHORIZATION_FAILED (not retriable): Not authorized for the delegation token operation.</summary>
    DelegationTokenAuthorizationFailed = 65,

    /// <summary>DELEGATION_TOKEN_EXPIRED (not retriable): The delegation token has expired.</summary>
    DelegationTokenExpired = 66,

    /// <summary>INVALID_PRINCIPAL_TYPE (not retriable): The principal type is not supported.</summary>
    InvalidPrincipalType = 67,

    /// <summary>NON_EMPTY_GROUP (not retriable): The group still has members.</summary>
    NonEmptyGroup = 68,

    /// <summary>GROUP_ID_NOT_FOUND (not retriable): The group does not exist.</summary>
    GroupIdNotFound = 69,

    /// <summary>FETCH_SESSION_ID_NOT_FOUND (retriable): The fetch session is unknown to the broker.</summary>
    FetchSessionIdNotFound = 70,

    /// <summary>INVALID_FETCH_SESSION_EPOCH (retriable): The fetch session epoch does not match.</summary>
    InvalidFetchSessionEpoch = 71,

    /// <summary>LISTENER_NOT_FOUND (retriable): The leader has no listener matching the one the metadata request came in on.</summary>
    ListenerNotFound = 72,

    /// <summary>TOPIC_DELETION_DISABLED (not retriable): Topic deletion is turned off.</summary>
    TopicDeletionDisabled = 73,

    /// <summary>FENCED_LEADER_EPOCH (retriable): The leader epoch in the request is older than the broker's.</summary>
    FencedLeaderEpoch = 74,

    /// <summary>UNKNOWN_LEADER_EPOCH (retriable): The leader epoch in the request is newer than the broker's.</summary>
    UnknownLeaderEpoch = 75,

    /// <summary>UNSUPPORTED_COMPRESSION_TYPE (not retriable): The client cannot handle the partition's compression type.</summary>
    UnsupportedCompressionType = 76,

    /// <summary>STALE_BROKER_EPOCH (not retriable): The broker epoch has changed.</summary>
    StaleBrokerEpoch = 77,

    /// <summary>OFFSET_NOT_AVAILABLE (retriable): The new leader's high watermark has not caught up yet, so offsets are not available.</summary>
    OffsetNotAvailable = 78,

    /// <summary>MEMBER_ID_REQUIRED (not retriable): The member must join again with the member id the coordinator assigned.</summary>
    MemberIdRequired = 79,

    /// <summary>PREFERRED_LEADER_NOT_AVAILABLE (retriable): The preferred leader is not available.</summary>
    PreferredLeaderNotAvailable = 80,

    /// <summary>GROUP_MAX_SIZE_REACHED (not retriable): The group already has its maximum number of members.</summary>
    GroupMaxSizeReached = 81,

    /// <summary>FENCED_INSTANCE_ID (not retriable): Another member with the same group instance id replaced this one.</summary>
    FencedInstanceId = 82,

    /// <summary>ELIGIBLE_LEADERS_NOT_AVAILABLE (retriable): No eligible leader is available for the partition.</summary>
    EligibleLeadersNotAvailable = 83,

    /// <summary>ELECTION_NOT_NEEDED (retriable): The partition does not need a leader election.</summary>
    ElectionNotNeeded = 84,

    /// <summary>NO_REASSIGNMENT_IN_PROGRESS (not retriable): No partition reassignment is under way.</summary>
    NoReassignmentInProgress = 85,

    /// <summary>GROUP_SUBSCRIBED_TO_TOPIC (not retriable): Offsets cannot be deleted while the group is subscribed to the topic.</summary>
    GroupSubscribedToTopic = 86,

    /// <summary>INVALID_RECORD (not retriable): The broker rejected a record that failed validation.</summary>
    InvalidRecord = 87,

    /// <summary>UNSTABLE_OFFSET_COMMIT (retriable): Pending transactional offsets must be resolved first.</summary>
    UnstableOffsetCommit = 88,

    /// <summary>THROTTLING_QUOTA_EXCEEDED (retriable): The request exceeded a throttling quota.</summary>
    ThrottlingQuotaExceeded = 89,

    /// <summary>PRODUCER_FENCED (not retriable): A newer producer with the same transactional id fenced this one.</summary>
    ProducerFenced = 90,

    /// <summary>RESOURCE_NOT_FOUND (not retriable): The request names a resource that does not exist.</summary>
    ResourceNotFound = 91,

    /// <summary>DUPLICATE_RESOURCE (not retriable): The request names the same resource twice.</summary>
    DuplicateResource = 92,

    /// <summary>UNACCEPTABLE_CREDENTIAL (not retriable): The credential does not meet the acceptance criteria.</summary>
    UnacceptableCredential = 93,

    /// <summary>INCONSISTENT_VOTER_SET (not retriable): The sender or receiver is not one of the expected voters.</summary>
    InconsistentVoterSet = 94,

    /// <summary>INVALID_UPDATE_VERSION (not retriable): The update version is not valid.</summary>
    InvalidUpdateVersion = 95,

    /// <summary>FEATURE_UPDATE_FAILED (not retriable): The finalized features could not be updated.</summary>
    FeatureUpdateFailed = 96,

    /// <summary>PRINCIPAL_DESERIALIZATION_FAILURE (not retriable): A forwarded request's principal could not be deserialized.</summary>
    PrincipalDeserializationFailure = 97,

    /// <summary>SNAPSHOT_NOT_FOUND (not retriable): The requested snapshot does not exist.</summary>
    SnapshotNotFound = 98,

    /// <summary>POSITION_OUT_OF_RANGE (not retriable): The position is outside the snapshot.</summary>
    PositionOutOfRange = 99,

    /// <summary>UNKNOWN_TOPIC_ID (retriable): The broker does not host a topic with this id.</summary>
    UnknownTopicId = 100,

    /// <summary>DUPLICATE_BROKER_REGISTRATION (not retriable): This broker id is already registered.</summary>
    DuplicateBrokerRegistration = 101,

    /// <summary>BROKER_ID_NOT_REGISTERED (not retriable): This broker id is not registered.</summary>
    BrokerIdNotRegistered = 102,

    /// <summary>INCONSISTENT_TOPIC_ID (retriable): The topic id in the request does not match the log's.</summary>
    InconsistentTopicId = 103,

    /// <summary>INCONSISTENT_CLUSTER_ID (not retriable): The cluster id in the request does not match the server's.</summary>
    InconsistentClusterId = 104,

    /// <summary>TRANSACTIONAL_ID_NOT_FOUND (not retriable): The transactional id does not exist.</summary>
    TransactionalIdNotFound = 105,

    /// <summary>FETCH_SESSION_TOPIC_ID_ERROR (retriable): The fetch session used topic ids inconsistently.</summary>
    FetchSessionTopicIdError = 106,

    /// <summary>INELIGIBLE_REPLICA (not retriable): The proposed ISR contains a replica that is not eligible.</summary>
    IneligibleReplica = 107,

    /// <summary>NEW_LEADER_ELECTED (not retriable): The partition state was updated but the leader changed.</summary>
    NewLeaderElected = 108,

    /// <summary>OFFSET_MOVED_TO_TIERED_STORAGE (not retriable): The offset now lives in tiered storage.</summary>
    OffsetMovedToTieredStorage = 109,

    /// <summary>FENCED_MEMBER_EPOCH (not retriable): The member epoch was fenced; the member must give up its partitions and rejoin.</summary>
    FencedMemberEpoch = 110,

    /// <summary>UNRELEASED_INSTANCE_ID (not retriable): Another member still holds this instance id.</summary>
    UnreleasedInstanceId = 111,

    /// <summary>UNSUPPORTED_ASSIGNOR (not retriable): The group does not support the assignor or its version.</summary>
    UnsupportedAssignor = 112,

    /// <summary>STALE_MEMBER_EPOCH (not retriable): The member epoch is stale; retry after the next heartbeat.</summary>
    StaleMemberEpoch = 113,

    /// <summary>MISMATCHED_ENDPOINT_TYPE (not retriable): The request went to the wrong kind of endpoint.</summary>
    MismatchedEndpointType = 114,

    /// <summary>UNSUPPORTED_ENDPOINT_TYPE (not retriable): This kind of endpoint is not supported yet.</summary>
    UnsupportedEndpointType = 115,

    /// <summary>UNKNOWN_CONTROLLER_ID (not retriable): The controller id is unknown.</summary>
    UnknownControllerId = 116,

    /// <summary>UNKNOWN_SUBSCRIPTION_ID (not retriable): The telemetry subscription id is unknown or outdated.</summary>
    UnknownSubscriptionId = 117,

    /// <summary>TELEMETRY_TOO_LARGE (not retriable): The telemetry payload is larger than the broker accepts.</summary>
    TelemetryTooLarge = 118,

    /// <summary>INVALID_REGISTRATION (not retriable): The controller considers the broker registration invalid.</summary>
    InvalidRegistration = 119,

    /// <summary>TRANSACTION_ABORTABLE (not retriable): The transaction hit an error; abort it to keep using the transactional id.</summary>
    TransactionAbortable = 120,

    /// <summary>INVALID_RECORD_STATE (not retriable): The record's state does not allow the acknowledgement.</summary>
    InvalidRecordState = 121,

    /// <summary>SHARE_SESSION_NOT_FOUND (retriable): The share session is unknown to the broker.</summary>
    ShareSessionNotFound = 122,

    /// <summary>INVALID_SHARE_SESSION_EPOCH (retriable): The share session epoch does not match.</summary>
    InvalidShareSessionEpoch = 123,

    /// <summary>FENCED_STATE_EPOCH (not retriable): The share group state epoch does not match.</summary>
    FencedStateEpoch = 124,

    /// <summary>INVALID_VOTER_KEY (not retriable): The voter key does not match the replica's.</summary>
    InvalidVoterKey = 125,

    /// <summary>DUPLICATE_VOTER (not retriable): The voter is already in the voter set.</summary>
    DuplicateVoter = 126,

    /// <summary>VOTER_NOT_FOUND (not retriable): The voter is not in the voter set.</summary>
    VoterNotFound = 127,

    /// <summary>INVALID_REGULAR_EXPRESSION (not retriable): The regular expression is not valid.</summary>
    InvalidRegularExpression = 128,

    /// <summary>REBOOTSTRAP_REQUIRED (not retriable): The client's metadata is stale and it must bootstrap again.</summary>
    RebootstrapRequired = 129,

    /// <summary>STREAMS_INVALID_TOPOLOGY (not retriable): The Streams topology is not valid.</summary>
    StreamsInvalidTopology = 130,

    /// <summary>STREAMS_INVALID_TOPOLOGY_EPOCH (not retriable): The Streams topology epoch is not valid.</summary>
    StreamsInvalidTopologyEpoch = 131,

    /// <summary>STREAMS_TOPOLOGY_FENCED (not retriable): The Streams topology epoch is out of date.</summary>
    StreamsTopologyFenced = 132,

    /// <summary>SHARE_SESSION_LIMIT_REACHED (retriable): The broker already has its maximum number of share sessions.</summary>
    ShareSessionLimitReached = 133,
}
