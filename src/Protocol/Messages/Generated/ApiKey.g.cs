namespace KafkaNative.Protocol;
/// <summary>Kafka API keys.</summary>
public enum ApiKey : short {
  /// <summary>AddOffsetsToTxn</summary>
  AddOffsetsToTxn = 25,
  /// <summary>AddPartitionsToTxn</summary>
  AddPartitionsToTxn = 24,
  /// <summary>AddRaftVoter</summary>
  AddRaftVoter = 80,
  /// <summary>AllocateProducerIds</summary>
  AllocateProducerIds = 67,
  /// <summary>AlterClientQuotas</summary>
  AlterClientQuotas = 49,
  /// <summary>AlterConfigs</summary>
  AlterConfigs = 33,
  /// <summary>AlterPartitionReassignments</summary>
  AlterPartitionReassignments = 45,
  /// <summary>AlterPartition</summary>
  AlterPartition = 56,
  /// <summary>AlterReplicaLogDirs</summary>
  AlterReplicaLogDirs = 34,
  /// <summary>AlterUserScramCredentials</summary>
  AlterUserScramCredentials = 51,
  /// <summary>ApiVersions</summary>
  ApiVersions = 18,
  /// <summary>AssignReplicasToDirs</summary>
  AssignReplicasToDirs = 73,
  /// <summary>BeginQuorumEpoch</summary>
  BeginQuorumEpoch = 53,
  /// <summary>BrokerHeartbeat</summary>
  BrokerHeartbeat = 63,
  /// <summary>BrokerRegistration</summary>
  BrokerRegistration = 62,
  /// <summary>ConsumerGroupDescribe</summary>
  ConsumerGroupDescribe = 69,
  /// <summary>ConsumerGroupHeartbeat</summary>
  ConsumerGroupHeartbeat = 68,
  /// <summary>ControlledShutdown</summary>
  ControlledShutdown = 7,
  /// <summary>ControllerRegistration</summary>
  ControllerRegistration = 70,
  /// <summary>CreateAcls</summary>
  CreateAcls = 30,
  /// <summary>CreateDelegationToken</summary>
  CreateDelegationToken = 38,
  /// <summary>CreatePartitions</summary>
  CreatePartitions = 37,
  /// <summary>CreateTopics</summary>
  CreateTopics = 19,
  /// <summary>DeleteAcls</summary>
  DeleteAcls = 31,
  /// <summary>DeleteGroups</summary>
  DeleteGroups = 42,
  /// <summary>DeleteRecords</summary>
  DeleteRecords = 21,
  /// <summary>DeleteShareGroupState</summary>
  DeleteShareGroupState = 86,
  /// <summary>DeleteTopics</summary>
  DeleteTopics = 20,
  /// <summary>DescribeAcls</summary>
  DescribeAcls = 29,
  /// <summary>DescribeClientQuotas</summary>
  DescribeClientQuotas = 48,
  /// <summary>DescribeCluster</summary>
  DescribeCluster = 60,
  /// <summary>DescribeConfigs</summary>
  DescribeConfigs = 32,
  /// <summary>DescribeDelegationToken</summary>
  DescribeDelegationToken = 41,
  /// <summary>DescribeGroups</summary>
  DescribeGroups = 15,
  /// <summary>DescribeLogDirs</summary>
  DescribeLogDirs = 35,
  /// <summary>DescribeProducers</summary>
  DescribeProducers = 61,
  /// <summary>DescribeQuorum</summary>
  DescribeQuorum = 55,
  /// <summary>DescribeTopicPartitions</summary>
  DescribeTopicPartitions = 75,
  /// <summary>DescribeTransactions</summary>
  DescribeTransactions = 65,
  /// <summary>DescribeUserScramCredentials</summary>
  DescribeUserScramCredentials = 50,
  /// <summary>ElectLeaders</summary>
  ElectLeaders = 43,
  /// <summary>EndQuorumEpoch</summary>
  EndQuorumEpoch = 54,
  /// <summary>EndTxn</summary>
  EndTxn = 26,
  /// <summary>Envelope</summary>
  Envelope = 58,
  /// <summary>ExpireDelegationToken</summary>
  ExpireDelegationToken = 40,
  /// <summary>Fetch</summary>
  Fetch = 1,
  /// <summary>FetchSnapshot</summary>
  FetchSnapshot = 59,
  /// <summary>FindCoordinator</summary>
  FindCoordinator = 10,
  /// <summary>GetTelemetrySubscriptions</summary>
  GetTelemetrySubscriptions = 71,
  /// <summary>Heartbeat</summary>
  Heartbeat = 12,
  /// <summary>IncrementalAlterConfigs</summary>
  IncrementalAlterConfigs = 44,
  /// <summary>InitProducerId</summary>
  InitProducerId = 22,
  /// <summary>InitializeShareGroupState</summary>
  InitializeShareGroupState = 83,
  /// <summary>JoinGroup</summary>
  JoinGroup = 11,
  /// <summary>LeaderAndIsr</summary>
  LeaderAndIsr = 4,
  /// <summary>LeaveGroup</summary>
  LeaveGroup = 13,
  /// <summary>ListClientMetricsResources</summary>
  ListClientMetricsResources = 74,
  /// <summary>ListGroups</summary>
  ListGroups = 16,
  /// <summary>ListOffsets</summary>
  ListOffsets = 2,
  /// <summary>ListPartitionReassignments</summary>
  ListPartitionReassignments = 46,
  /// <summary>ListTransactions</summary>
  ListTransactions = 66,
  /// <summary>Metadata</summary>
  Metadata = 3,
  /// <summary>OffsetCommit</summary>
  OffsetCommit = 8,
  /// <summary>OffsetDelete</summary>
  OffsetDelete = 47,
  /// <summary>OffsetFetch</summary>
  OffsetFetch = 9,
  /// <summary>OffsetForLeaderEpoch</summary>
  OffsetForLeaderEpoch = 23,
  /// <summary>Produce</summary>
  Produce = 0,
  /// <summary>PushTelemetry</summary>
  PushTelemetry = 72,
  /// <summary>ReadShareGroupState</summary>
  ReadShareGroupState = 84,
  /// <summary>ReadShareGroupStateSummary</summary>
  ReadShareGroupStateSummary = 87,
  /// <summary>RemoveRaftVoter</summary>
  RemoveRaftVoter = 81,
  /// <summary>RenewDelegationToken</summary>
  RenewDelegationToken = 39,
  /// <summary>SaslAuthenticate</summary>
  SaslAuthenticate = 36,
  /// <summary>SaslHandshake</summary>
  SaslHandshake = 17,
  /// <summary>ShareAcknowledge</summary>
  ShareAcknowledge = 79,
  /// <summary>ShareFetch</summary>
  ShareFetch = 78,
  /// <summary>ShareGroupDescribe</summary>
  ShareGroupDescribe = 77,
  /// <summary>ShareGroupHeartbeat</summary>
  ShareGroupHeartbeat = 76,
  /// <summary>StopReplica</summary>
  StopReplica = 5,
  /// <summary>SyncGroup</summary>
  SyncGroup = 14,
  /// <summary>TxnOffsetCommit</summary>
  TxnOffsetCommit = 28,
  /// <summary>UnregisterBroker</summary>
  UnregisterBroker = 64,
  /// <summary>UpdateFeatures</summary>
  UpdateFeatures = 57,
  /// <summary>UpdateMetadata</summary>
  UpdateMetadata = 6,
  /// <summary>UpdateRaftVoter</summary>
  UpdateRaftVoter = 82,
  /// <summary>Vote</summary>
  Vote = 52,
  /// <summary>WriteShareGroupState</summary>
  WriteShareGroupState = 85,
  /// <summary>WriteTxnMarkers</summary>
  WriteTxnMarkers = 27,
}
