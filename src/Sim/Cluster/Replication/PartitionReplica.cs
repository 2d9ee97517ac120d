using KafkaNative.Sim.Log;

namespace KafkaNative.Sim.Replication;

/// <summary>
/// One broker's replica of a partition: its log, its role (leader or follower) at a leader epoch,
/// and, when leading, what it knows of its followers and which acks=-1 produces wait on it.
/// Owned by the broker actor; the in-process API reads its log and high watermark from other threads.
/// </summary>
internal sealed class PartitionReplica(TopicAndPartition partition, Guid topicId, TopicConfig config)
{
    private long _highWatermark;

    public TopicAndPartition Partition { get; } = partition;

    public Guid TopicId { get; } = topicId;

    public TopicConfig Config { get; set; } = config;

    public PartitionLog Log { get; } = new();

    public ProducerStateTable Producers { get; } = new();

    public bool IsLeader { get; set; }

    public int LeaderId { get; set; } = -1;

    public int LeaderEpoch { get; set; } = -1;

    public int PartitionEpoch { get; set; } = -1;

    public int[] Replicas { get; set; } = [];

    public int[] Isr { get; set; } = [];

    /// <summary>The log end offset when this replica became leader: where its epoch starts.</summary>
    public long EpochStartOffset { get; set; }

    /// <summary>Leader only: each follower's progress.</summary>
    public Dictionary<int, FollowerProgress> Followers { get; } = new();

    /// <summary>Leader only: produces waiting for the high watermark to pass an offset.</summary>
    public List<AckWaiter> AckWaiters { get; } = new();

    /// <summary>
    /// Leader only: transaction markers waiting for the high watermark to pass them, as Kafka's WriteTxnMarkers
    /// answers once the in-sync replicas have the marker; a lost leadership answers NOT_LEADER_OR_FOLLOWER.
    /// </summary>
    public List<(long RequiredOffset, TaskCompletionSource<Protocol.ErrorCode> Done)> MarkerWaiters { get; } = new();

    /// <summary>Follower only: the log end at which a catch-up was last asked for, so a gap asks once.</summary>
    public long SyncRequestedAt { get; set; } = -1;

    /// <summary>
    /// Offsets below it are readable by read_committed consumers: the high watermark, or the first offset of the
    /// earliest transaction still open here. Broker actor only.
    /// </summary>
    public long LastStableOffset => Math.Min(HighWatermark, Producers.Transactions.FirstUnstableOffset(HighWatermark));

    /// <summary>Offsets below it are on every in-sync replica: consumers may read them.</summary>
    public long HighWatermark
    {
        get => Volatile.Read(ref _highWatermark);
        set => Volatile.Write(ref _highWatermark, value);
    }
}

/// <summary>What a leader knows of one follower.</summary>
internal sealed class FollowerProgress
{
    /// <summary>The follower's log end, or -1 until it reports.</summary>
    public long LogEndOffset { get; set; } = -1;

    /// <summary>The next offset to push to it, or -1 while it is out of touch (pushes pause until it asks to catch up).</summary>
    public long NextPush { get; set; } = -1;
}

/// <summary>A partition of a delayed produce waiting for the high watermark to reach <see cref="RequiredOffset"/>.</summary>
internal sealed record AckWaiter(DelayedProduce Produce, Protocol.Messages.ProduceResponse.PartitionProduceResponse Result, long RequiredOffset);
