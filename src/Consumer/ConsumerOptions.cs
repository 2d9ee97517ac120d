using KafkaNative.Client;

namespace KafkaNative;

/// <summary>
/// Settings of a <see cref="KafkaConsumer{TKey, TValue}"/>: the cluster settings of
/// <see cref="KafkaClientOptions"/> plus fetching, offsets and consumer-group settings.
/// </summary>
public sealed class ConsumerOptions : KafkaClientOptions
{
    /// <summary>The consumer group; required for <see cref="KafkaConsumer{TKey, TValue}.Subscribe(IEnumerable{string})"/> and commits, optional for <see cref="KafkaConsumer{TKey, TValue}.Assign(IEnumerable{TopicPartitionOffset})"/>.</summary>
    public string? GroupId { get; set; }

    /// <summary>Static membership (KIP-345): a stable id for this member so a restart within the session timeout does not rebalance the group.</summary>
    public string? GroupInstanceId { get; set; }

    /// <summary>Where to start without a committed offset, or when the offset is out of range.</summary>
    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Latest;

    /// <summary>Commit consumed offsets every <see cref="AutoCommitInterval"/>, on revocation and on disposal.</summary>
    public bool EnableAutoCommit { get; set; } = true;

    /// <summary>
    /// Whether the consume loops store each record's offset as consumed by themselves (Confluent's
    /// enable.auto.offset.store): <c>await foreach</c> when the loop asks for the next record or exits,
    /// the handler form when the handler returns. Off: only <see cref="KafkaConsumer{TKey, TValue}.StoreOffset(ConsumeResult{TKey, TValue})"/>
    /// stores offsets, so commits (automatic or <see cref="KafkaConsumer{TKey, TValue}.CommitAsync(CancellationToken)"/>) cover only what the application stored.
    /// On, the stored position also moves past transaction markers and skipped aborted transactions that
    /// follow the last record consumed; a record's offset + 1 stored by hand does not (as with Confluent's
    /// StoreOffset), so on a transactional topic such a commit can point at a marker and show a lag of 1.
    /// </summary>
    public bool EnableAutoOffsetStore { get; set; } = true;

    /// <summary>How often consumed offsets are committed when <see cref="EnableAutoCommit"/> is on.</summary>
    public TimeSpan AutoCommitInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Bytes a broker waits for before answering a fetch (up to <see cref="FetchMaxWait"/>).</summary>
    public int FetchMinBytes { get; set; } = 1;

    /// <summary>Largest response a fetch asks for (a first batch larger than this is still returned).</summary>
    public int FetchMaxBytes { get; set; } = 50 * 1024 * 1024;

    /// <summary>Longest time a broker holds a fetch waiting for <see cref="FetchMinBytes"/>.</summary>
    public TimeSpan FetchMaxWait { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Whether fetches use incremental fetch sessions (KIP-227), as the Java client and librdkafka do; on by
    /// default. Each broker's first fetch opens a session with the full partition list; later fetches name only
    /// the partitions whose position changed and those dropped, and the broker answers only for partitions with
    /// records or news, which makes fetches of many partitions much smaller. A session the broker evicted or
    /// lost costs one full fetch, which opens a new one; closing the consumer closes its sessions. Off, every
    /// fetch lists every partition (epoch -1), as before Kafka 1.1.
    /// </summary>
    public bool FetchSessions { get; set; } = true;

    /// <summary>Largest share of a fetch response one partition may fill.</summary>
    public int MaxPartitionFetchBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Which records of transactional producers are visible (Kafka's isolation.level). Default
    /// <see cref="IsolationLevel.ReadUncommitted"/>, as in the Java client: every record up to the high
    /// watermark, aborted and still-open transactions included. <see cref="IsolationLevel.ReadCommitted"/>
    /// reads only committed and non-transactional records and never past the last stable offset (the first
    /// record of the oldest open transaction); librdkafka and Confluent.Kafka default to it. Transaction
    /// markers are never handed out at either level but count in the position, commits and lag.
    /// </summary>
    public IsolationLevel IsolationLevel { get; set; } = IsolationLevel.ReadUncommitted;

    /// <summary>The group drops a member it has not heard from for this long.</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>How often the member tells the coordinator it is alive; well below <see cref="SessionTimeout"/>.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long the coordinator waits for all members to rejoin during a rebalance.</summary>
    public TimeSpan RebalanceTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Longest time the application may stay away from the consume loop (not asking for records, or
    /// inside a partition callback) before the member leaves the group so its partitions go to others,
    /// as Kafka's max.poll.interval.ms. The consume loop then throws <see cref="MaxPollIntervalExceededException"/>
    /// once, and consuming again rejoins. Waiting for records counts as present.
    /// </summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a subscribed or assigned topic may be missing from the cluster before the consume loop
    /// throws <see cref="KafkaConsumeException"/> with UNKNOWN_TOPIC_OR_PARTITION (once per absence; the
    /// consumer keeps looking, and reads the topic once it exists), as librdkafka's topic.metadata.propagation.max.ms.
    /// Only with <see cref="KafkaClientOptions.AllowAutoTopicCreation"/> off can a topic be missing: otherwise asking creates it.
    /// </summary>
    public TimeSpan TopicMetadataPropagationMax { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>What to do with a record that cannot be read (checksum mismatch, undecodable batch, key or value that fails to deserialize).</summary>
    public CorruptRecordHandling CorruptRecordHandling { get; set; } = CorruptRecordHandling.Throw;

    /// <summary>Assignment strategies offered to the group, preferred first. All members must share one.</summary>
    public IList<PartitionAssignmentStrategy> AssignmentStrategies { get; set; } = [PartitionAssignmentStrategy.Range, PartitionAssignmentStrategy.RoundRobin];

    /// <summary>
    /// Which group protocol runs the group: <see cref="GroupProtocol.Classic"/> (the default, as in the Java
    /// client and librdkafka, until KIP-848 has been proven against more clusters) or
    /// <see cref="GroupProtocol.Consumer"/> (KIP-848, Kafka 4.0+). A group is one or the other: a member of the
    /// other kind is refused while the group has members.
    /// </summary>
    public GroupProtocol GroupProtocol { get; set; } = GroupProtocol.Classic;

    /// <summary>
    /// With <see cref="GroupProtocol.Consumer"/>, the server-side assignor to ask for (<c>uniform</c> or
    /// <c>range</c> in Kafka 4.0), or null for the coordinator's default. Ignored by the classic protocol.
    /// </summary>
    public string? GroupRemoteAssignor { get; set; }

    /// <summary>
    /// How long a partition's messages may wait for the application before the partition stops being
    /// fetched (it resumes once they are taken), so one slow partition never stalls the others on its broker.
    /// </summary>
    public TimeSpan MaxProcessingTime { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Messages buffered per partition ahead of the application (in chunks of up to 256).</summary>
    public int QueuedMessagesPerPartition { get; set; } = 4096;

    /// <summary>Whether batch checksums are verified.</summary>
    public bool CheckCrcs { get; set; } = true;

    /// <summary>
    /// How long to wait before fetching a partition again after an error, or retrying a commit or a
    /// coordinator; doubles with each consecutive failure up to <see cref="RetryBackoffMax"/>, with jitter.
    /// </summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Upper bound of the growing <see cref="RetryBackoff"/> (as the Java client's retry.backoff.max.ms).</summary>
    public TimeSpan RetryBackoffMax { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Rack of this consumer, sent in fetches and subscriptions.</summary>
    public string? ClientRack { get; set; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A setting is missing or out of range; the message names it.</exception>
    public override void Validate()
    {
        base.Validate();
        if (GroupId is { Length: 0 })
            throw new ArgumentException("GroupId must not be empty; use null for no group.", nameof(GroupId));
        if (GroupInstanceId is { Length: 0 })
            throw new ArgumentException("GroupInstanceId must not be empty; use null for dynamic membership.", nameof(GroupInstanceId));
        if (GroupInstanceId is not null && GroupId is null)
            throw new ArgumentException("GroupInstanceId needs a GroupId.", nameof(GroupInstanceId));
        if (!Enum.IsDefined(AutoOffsetReset))
            throw new ArgumentException($"AutoOffsetReset {AutoOffsetReset} is not a known value.", nameof(AutoOffsetReset));
        if (!Enum.IsDefined(IsolationLevel))
            throw new ArgumentException($"IsolationLevel {IsolationLevel} is not a known value.", nameof(IsolationLevel));
        Positive(AutoCommitInterval, nameof(AutoCommitInterval));
        if (FetchMinBytes < 0)
            throw new ArgumentException($"FetchMinBytes must not be negative; it is {FetchMinBytes}.", nameof(FetchMinBytes));
        if (FetchMaxBytes < 1024)
            throw new ArgumentException($"FetchMaxBytes must be at least 1024; it is {FetchMaxBytes}.", nameof(FetchMaxBytes));
        if (MaxPartitionFetchBytes < 1024)
            throw new ArgumentException($"MaxPartitionFetchBytes must be at least 1024; it is {MaxPartitionFetchBytes}.", nameof(MaxPartitionFetchBytes));
        if (FetchMaxBytes > MaxResponseSize)
            throw new ArgumentException($"FetchMaxBytes ({FetchMaxBytes}) must not exceed MaxResponseSize ({MaxResponseSize}).", nameof(FetchMaxBytes));
        if (FetchMaxWait < TimeSpan.Zero || FetchMaxWait > TimeSpan.FromMinutes(5))
            throw new ArgumentException($"FetchMaxWait must be between 0 and 5 minutes; it is {FetchMaxWait}.", nameof(FetchMaxWait));
        Positive(SessionTimeout, nameof(SessionTimeout));
        Positive(HeartbeatInterval, nameof(HeartbeatInterval));
        if (HeartbeatInterval >= SessionTimeout)
            throw new ArgumentException($"HeartbeatInterval ({HeartbeatInterval}) must be less than SessionTimeout ({SessionTimeout}).", nameof(HeartbeatInterval));
        Positive(RebalanceTimeout, nameof(RebalanceTimeout));
        Positive(MaxPollInterval, nameof(MaxPollInterval));
        if (MaxPollInterval <= HeartbeatInterval)
            throw new ArgumentException($"MaxPollInterval ({MaxPollInterval}) must be more than HeartbeatInterval ({HeartbeatInterval}).", nameof(MaxPollInterval));
        Positive(TopicMetadataPropagationMax, nameof(TopicMetadataPropagationMax));
        if (!Enum.IsDefined(CorruptRecordHandling))
            throw new ArgumentException($"CorruptRecordHandling {CorruptRecordHandling} is not a known value.", nameof(CorruptRecordHandling));
        Positive(MaxProcessingTime, nameof(MaxProcessingTime));
        Positive(RetryBackoff, nameof(RetryBackoff));
        if (RetryBackoffMax < RetryBackoff)
            throw new ArgumentException($"RetryBackoffMax ({RetryBackoffMax}) must not be less than RetryBackoff ({RetryBackoff}).", nameof(RetryBackoffMax));
        if (!Enum.IsDefined(GroupProtocol))
            throw new ArgumentException($"GroupProtocol {GroupProtocol} is not a known value.", nameof(GroupProtocol));
        if (GroupRemoteAssignor is { Length: 0 })
            throw new ArgumentException("GroupRemoteAssignor must not be empty; use null for the coordinator's default.", nameof(GroupRemoteAssignor));
        if (AssignmentStrategies is null || AssignmentStrategies.Count == 0)
            throw new ArgumentException("AssignmentStrategies must name at least one strategy.", nameof(AssignmentStrategies));
        foreach (PartitionAssignmentStrategy strategy in AssignmentStrategies)
        {
            if (!Enum.IsDefined(strategy))
                throw new ArgumentException($"AssignmentStrategies contains {strategy}, which is not a known strategy.", nameof(AssignmentStrategies));
        }
        bool cooperative = AssignmentStrategies.Contains(PartitionAssignmentStrategy.CooperativeSticky);
        if (cooperative && AssignmentStrategies.Any(s => s != PartitionAssignmentStrategy.CooperativeSticky))
            throw new ArgumentException("AssignmentStrategies cannot mix cooperative-sticky with eager strategies.", nameof(AssignmentStrategies));
        if (QueuedMessagesPerPartition is < 1 or > 10_000_000)
            throw new ArgumentException($"QueuedMessagesPerPartition must be between 1 and 10000000; it is {QueuedMessagesPerPartition}.", nameof(QueuedMessagesPerPartition));
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
            throw new ArgumentException($"{name} must be positive and at most one day; it is {value}.", name);
    }
}
