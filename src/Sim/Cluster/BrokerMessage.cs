namespace KafkaNative.Sim;

/// <summary>What a broker actor's mailbox carries.</summary>
internal abstract record BrokerMessage;

/// <summary>A decoded client request to handle.</summary>
internal sealed record ClientRequest(RequestContext Context) : BrokerMessage;

/// <summary>
/// The controller's word on a partition (Kafka's LeaderAndIsr): who leads at which epoch, the
/// replicas and the in-sync set. Creates the local replica when missing.
/// </summary>
internal sealed record LeaderAndIsr(
    TopicAndPartition Partition, Guid TopicId, TopicConfig Config, int Leader, int LeaderEpoch, int PartitionEpoch,
    int[] Replicas, int[] Isr, TaskCompletionSource? Done) : BrokerMessage;

/// <summary>The topic was deleted or the partition no longer lives here: drop the replica.</summary>
internal sealed record StopReplica(TopicAndPartition Partition, TaskCompletionSource? Done) : BrokerMessage;

/// <summary>
/// Leader to follower: batches to append (offsets assigned), after truncating to <see cref="TruncateTo"/>
/// when set, plus the leader's high watermark and log start.
/// </summary>
internal sealed record ReplicaPush(
    TopicAndPartition Partition, int LeaderId, int LeaderEpoch, long? TruncateTo,
    IReadOnlyList<ReadOnlyMemory<byte>> Batches, long LeaderHighWatermark, long LeaderLogStart) : BrokerMessage;

/// <summary>Follower to leader: "my log ends at this offset with a batch of this epoch; bring me up to date".</summary>
internal sealed record FollowerSync(TopicAndPartition Partition, int FollowerId, int LeaderEpoch, long LogEndOffset, int LastBatchEpoch) : BrokerMessage;

/// <summary>Follower to leader: "my log now ends at this offset".</summary>
internal sealed record ReplicaAck(TopicAndPartition Partition, int FollowerId, int LeaderEpoch, long LogEndOffset) : BrokerMessage;

/// <summary>Time passes: expire delayed requests and group members.</summary>
internal sealed record Tick : BrokerMessage
{
    public static readonly Tick Instance = new();
}

/// <summary>
/// Transaction coordinator to partition leader (Kafka's WriteTxnMarkers): append a COMMIT or ABORT marker for
/// the producer; <see cref="Done"/> gets NONE, or the error that makes the coordinator retry elsewhere.
/// </summary>
internal sealed record WriteTxnMarker(
    TopicAndPartition Partition, long ProducerId, short ProducerEpoch, bool Commit, int CoordinatorEpoch,
    TaskCompletionSource<Protocol.ErrorCode> Done) : BrokerMessage;
