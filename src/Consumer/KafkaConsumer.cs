using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using KafkaNative.Client;
using KafkaNative.Consumer;
using KafkaNative.Consumer.Fetching;
using KafkaNative.Consumer.Groups;
using KafkaNative.Protocol;
using Microsoft.Extensions.Logging;

namespace KafkaNative;

/// <summary>
/// Reads messages from Kafka: from the partitions a consumer group assigns (<see cref="Subscribe(IEnumerable{string})"/>)
/// or from partitions chosen by the application (<see cref="Assign(IEnumerable{TopicPartitionOffset})"/>).
/// Read with <c>await foreach (var message in consumer.ConsumeAsync(ct))</c>, or with a handler per
/// partition (<see cref="ConsumeAsync(Func{ConsumeResult{TKey, TValue}, CancellationToken, ValueTask}, CancellationToken)"/>).
/// </summary>
/// <remarks>
/// Delivery is at least once: a message counts as consumed once the application asks for the next one
/// or leaves the loop (or its handler returned), and only consumed offsets are committed; with
/// <see cref="ConsumerOptions.EnableAutoOffsetStore"/> off, only what <see cref="StoreOffset(ConsumeResult{TKey, TValue})"/>
/// stored. A group member heartbeats in the background, independently of the application and its
/// callbacks; it leaves the group when the application stays away longer than <see cref="ConsumerOptions.MaxPollInterval"/>.
/// Errors that concern no partition (no broker reachable at all, a subscribed topic missing, the member
/// having left the group) are thrown once by the consume loop, and consuming again carries on.
/// Thread safety: one consume loop at a time; the other methods may be called from any thread.
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed partial class KafkaConsumer<TKey, TValue> : IKafkaConsumer<TKey, TValue>, IGroupListener, ILagSource
{
    private readonly ConsumerOptions _options;
    private readonly KafkaCluster _cluster;
    private readonly ConsumerContext _context;
    private readonly IDeserializer<TKey> _keys;
    private readonly IDeserializer<TValue> _values;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<TopicPartition, PartitionConsumer<TKey, TValue>> _partitions = [];
    private readonly Dictionary<TopicPartition, long> _committed = [];
    private readonly List<Task> _stopping = [];
    private readonly CancellationTokenSource _disposed = new();
    private readonly Channel<bool> _assignmentChanged = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private IGroupMember? _group;
    private readonly PollTracker _poll;
    private readonly SemaphoreSlim _commitLock = new(1, 1);
    private PartitionConsumer<TKey, TValue>[] _active = [];
    private AutoCommitLoop? _autoCommitLoop;
    private bool _subscribed;
    private bool _unsubscribing;
    private IReadOnlyList<string> _subscription = [];
    private Exception? _fatal;
    private Exception? _pendingError;
    private int _consuming;
    private int _disposeState;
    private bool _abandon;

    // The merged reader's position: the chunk being read, and the message to mark consumed on the next read.
    private MessageChunk<TKey, TValue>? _chunk;
    private PartitionConsumer<TKey, TValue>? _chunkPartition;
    private PartitionConsumer<TKey, TValue>? _markPartition;
    private int _markVersion;
    private long _markOffset;
    private int _markEpoch;
    private int _cursor;

    // The process activity of the message the merged reader handed out last, ended when the loop asks for the next one.
    private Activity? _processing;

    /// <summary>Creates a consumer. It connects when it first needs to.</summary>
    /// <param name="options">The settings; validated here, not to be changed afterwards.</param>
    /// <param name="keyDeserializer">Key deserializer; null for the built-in one for <typeparamref name="TKey"/> (see <see cref="Deserializers.DefaultFor{T}"/>).</param>
    /// <param name="valueDeserializer">Value deserializer; null for the built-in one for <typeparamref name="TValue"/>.</param>
    /// <exception cref="ArgumentException">An option is invalid, or there is no built-in deserializer for a type and none was given.</exception>
    public KafkaConsumer(ConsumerOptions options, IDeserializer<TKey>? keyDeserializer = null, IDeserializer<TValue>? valueDeserializer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _keys = keyDeserializer ?? Deserializers.DefaultFor<TKey>()
            ?? throw new ArgumentException($"There is no built-in deserializer for {typeof(TKey)}; pass one.", nameof(keyDeserializer));
        _values = valueDeserializer ?? Deserializers.DefaultFor<TValue>()
            ?? throw new ArgumentException($"There is no built-in deserializer for {typeof(TValue)}; pass one.", nameof(valueDeserializer));
        _logger = options.LoggerFactory.CreateLogger<KafkaConsumer<TKey, TValue>>();
        _cluster = new KafkaCluster(options);
        _context = new ConsumerContext(_cluster, options, ReportError);
        _poll = new PollTracker(options.MaxPollInterval, options.TimeProvider);
        if (options.GroupId is not null)
        {
            _group = GroupMembers.Create(_cluster, options, this, _poll);
            _context.CommittedLookup = async (partition, cancellationToken) =>
            {
                CommittedOffset committed = (await _group.FetchCommittedAsync([partition], cancellationToken).ConfigureAwait(false))[0];
                return (committed.Offset.Offset, committed.LeaderEpoch);
            };
        }
        ConsumerTelemetry.Register(this);
    }

    /// <summary>Called after the group assigned partitions, before their messages are read.</summary>
    public PartitionsHandler? PartitionsAssigned { get; set; }

    /// <summary>
    /// Called when the group takes partitions away in a rebalance, or on disposal. Their messages are no
    /// longer handed out, but they are still assigned: <see cref="Position"/> is current and
    /// <see cref="CommitAsync(CancellationToken)"/> commits them. In a rebalance it runs once the
    /// application is done with the message of theirs it holds (it asked for the next one, or its handler
    /// returned), as the Java client runs it at the next poll; but after <see cref="ConsumerOptions.MaxPollInterval"/>
    /// it runs regardless. With auto commit, their consumed offsets are committed right after; then they stop.
    /// </summary>
    public PartitionsHandler? PartitionsRevoked { get; set; }

    /// <summary>Called when partitions were lost (this member was dropped from the group, or left it after <see cref="ConsumerOptions.MaxPollInterval"/>): they may already belong to another member, so nothing is committed.</summary>
    public PartitionsHandler? PartitionsLost { get; set; }

    /// <summary>The partitions currently consumed.</summary>
    public IReadOnlyList<TopicPartition> Assignment
    {
        get
        {
            lock (_lock) return [.. _partitions.Keys.Order()];
        }
    }

    /// <summary>The subscribed topics (for a pattern, those it matched at the last rebalance).</summary>
    public IReadOnlyList<string> Subscription
    {
        get
        {
            lock (_lock) return _subscription;
        }
    }

    /// <summary>This member's id in the group, empty when not a member.</summary>
    public string MemberId => _group?.MemberId ?? "";

    /// <summary>
    /// The group, generation and member this consumer holds right now, for
    /// a transactional producer's <c>SendOffsetsToTransactionAsync</c>; null without a <see cref="ConsumerOptions.GroupId"/>.
    /// </summary>
    public ConsumerGroupMetadata? GroupMetadata => _group?.Metadata;

    /// <summary>
    /// Why the cluster could not be reached: the error of the latest metadata refresh that reached no broker
    /// (the one <see cref="KafkaClientOptions.OnClusterUnreachable"/> was told), or null once a refresh
    /// succeeded, and before any failed. A cheap signal for health checks; it asks nothing of the cluster.
    /// </summary>
    public KafkaConnectionException? ClusterUnreachable => _cluster.Unreachable;

    /// <summary>Joins the group (<see cref="ConsumerOptions.GroupId"/>) for these topics; partitions arrive through rebalances.</summary>
    /// <exception cref="InvalidOperationException">No GroupId, or partitions were assigned manually.</exception>
    public void Subscribe(IEnumerable<string> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var list = topics.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (list.Any(string.IsNullOrEmpty)) throw new ArgumentException("Topic names must not be empty.", nameof(topics));
        SubscribeCore(list, null);
    }

    /// <summary>Joins the group for every topic matching <paramref name="pattern"/> (internal topics excluded), checked at each rebalance.</summary>
    /// <exception cref="InvalidOperationException">No GroupId, or partitions were assigned manually.</exception>
    public void Subscribe(Regex pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        SubscribeCore([], pattern);
    }

    private void SubscribeCore(IReadOnlyList<string> topics, Regex? pattern)
    {
        ObjectDisposedException.ThrowIf(_disposeState != 0, this);
        lock (_lock)
        {
            if (_group is null) throw new InvalidOperationException("Subscribe needs ConsumerOptions.GroupId; use Assign to consume without a group.");
            if (_unsubscribing) throw new InvalidOperationException("UnsubscribeAsync has not finished; await it before subscribing again.");
            if (!_subscribed && _partitions.Count > 0) throw new InvalidOperationException("Partitions were assigned manually; a consumer either subscribes or assigns.");
            _subscription = topics;
            _group.SetSubscription(topics, pattern);
            if (_subscribed) return;
            _subscribed = true;
            _poll.Polled();
            _group.Start(_disposed.Token);
            StartAutoCommit();
        }
    }

    /// <summary>Consumes exactly these partitions, without group management, from the given offsets (<see cref="TopicPartitionOffset.Unset"/>: the committed offset with a group, else <see cref="ConsumerOptions.AutoOffsetReset"/>). Replaces the previous assignment.</summary>
    /// <exception cref="InvalidOperationException">The consumer subscribed to topics.</exception>
    public void Assign(IEnumerable<TopicPartitionOffset> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ObjectDisposedException.ThrowIf(_disposeState != 0, this);
        var wanted = new Dictionary<TopicPartition, long>();
        foreach (TopicPartitionOffset p in partitions)
        {
            if (string.IsNullOrEmpty(p.Topic) || p.Partition < 0) throw new ArgumentException($"{p} is not a valid partition.", nameof(partitions));
            if (p.Offset < 0 && p.Offset is not (TopicPartitionOffset.Beginning or TopicPartitionOffset.End or TopicPartitionOffset.Unset))
                throw new ArgumentException($"{p} has an invalid offset.", nameof(partitions));
            wanted[p.TopicPartition] = p.Offset;
        }
        lock (_lock)
        {
            if (_subscribed) throw new InvalidOperationException("The consumer subscribed to topics; a consumer either subscribes or assigns.");
            foreach (TopicPartition removed in _partitions.Keys.Where(k => !wanted.ContainsKey(k)).ToList()) StopPartitionLocked(removed);
            foreach ((TopicPartition partition, long offset) in wanted)
            {
                if (_partitions.ContainsKey(partition)) continue;
                StartPartitionLocked(partition, offset == TopicPartitionOffset.Unset && _group is not null ? OffsetResolver.Committed : offset);
            }
            PublishLocked();
            StartAutoCommit();
        }
    }

    /// <summary>Consumes these partitions without group management from their committed offsets (with a group) or the reset policy.</summary>
    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        Assign(partitions.Select(p => new TopicPartitionOffset(p, TopicPartitionOffset.Unset)));
    }

    /// <summary>Continues a partition at <paramref name="offset"/> (or Beginning / End); messages already buffered for it are dropped.</summary>
    /// <exception cref="InvalidOperationException">The partition is not assigned.</exception>
    public void Seek(TopicPartitionOffset offset)
    {
        if (offset.Offset < 0 && offset.Offset is not (TopicPartitionOffset.Beginning or TopicPartitionOffset.End))
            throw new ArgumentException($"Cannot seek to {offset.Offset}; use an offset, Beginning or End.", nameof(offset));
        GetPartition(offset.TopicPartition).Seek(offset.Offset);
        _context.SignalDataReady();
    }

    /// <summary>Stops fetching these partitions (buffered messages are dropped and fetched again on resume); the group keeps them assigned.</summary>
    public void Pause(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        foreach (TopicPartition partition in partitions) GetPartition(partition).Pause();
    }

    /// <summary>Resumes paused partitions from their position.</summary>
    public void Resume(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        foreach (TopicPartition partition in partitions) GetPartition(partition).Resume();
    }

    /// <summary>
    /// The offset of the next message the application gets from the partition, or <see cref="TopicPartitionOffset.Unset"/>
    /// before it is known. Control records (transaction markers) and, under read_committed, aborted
    /// transactions are never handed out but count in it, as in the Java client: once the messages before
    /// them are consumed, the position (and so the next commit) is past them.
    /// </summary>
    public long Position(TopicPartition partition) => GetPartition(partition).Position;

    /// <summary>The low and high watermarks last seen in a fetch of the partition (-1 when not yet fetched).</summary>
    public (long Low, long High) GetWatermarkOffsets(TopicPartition partition)
    {
        PartitionConsumer p = GetPartition(partition);
        return (p.LogStartOffset, p.HighWatermark);
    }

    /// <summary>
    /// Messages between the position and the high watermark of the last fetch (under read_committed, its
    /// last stable offset, as the Java client counts lag), or null when either is unknown. Transaction
    /// markers count as read once the messages before them are consumed, so a drained partition has lag 0.
    /// </summary>
    public long? GetLag(TopicPartition partition) => GetPartition(partition).Lag;

    /// <summary>
    /// For each partition, the offset of the first message whose timestamp is at or after <paramref name="timestamp"/>
    /// (ListOffsets by time), or <see cref="TopicPartitionOffset.End"/> when there is none yet. Seek to it to replay from a time.
    /// </summary>
    /// <param name="partitions">The partitions, assigned or not.</param>
    /// <param name="timestamp">The time to look up.</param>
    /// <param name="cancellationToken">Cancels the lookups.</param>
    public async Task<IReadOnlyList<TopicPartitionOffset>> OffsetsForTimesAsync(IEnumerable<TopicPartition> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        long time = timestamp.ToUnixTimeMilliseconds();
        ArgumentOutOfRangeException.ThrowIfNegative(time, nameof(timestamp));
        TopicPartition[] list = [.. partitions];
        long[] offsets = await Task.WhenAll(list.Select(p => OffsetResolver.ListOffsetAsync(_context, p, time, cancellationToken))).ConfigureAwait(false);
        return [.. list.Select((p, i) => new TopicPartitionOffset(p, offsets[i]))];
    }

    /// <summary>Asks the partition's leader for its low and high watermarks.</summary>
    public async Task<(long Low, long High)> QueryWatermarkOffsetsAsync(TopicPartition partition, CancellationToken cancellationToken = default)
    {
        long low = await OffsetResolver.ListOffsetAsync(_context, partition, Sentinels.EarliestTimestamp, cancellationToken).ConfigureAwait(false);
        long high = await OffsetResolver.ListOffsetAsync(_context, partition, Sentinels.LatestTimestamp, cancellationToken).ConfigureAwait(false);
        return (low, high);
    }

    private PartitionConsumer<TKey, TValue> GetPartition(TopicPartition partition)
    {
        lock (_lock)
        {
            return _partitions.TryGetValue(partition, out PartitionConsumer<TKey, TValue>? p)
                ? p
                : throw new InvalidOperationException($"{partition} is not assigned to this consumer.");
        }
    }

    private void StartPartitionLocked(TopicPartition partition, long offset)
    {
        var consumer = new PartitionConsumer<TKey, TValue>(_context, partition, offset, _keys, _values);
        _partitions[partition] = consumer;
        consumer.Start();
    }

    private void StopPartitionLocked(TopicPartition partition)
    {
        if (!_partitions.Remove(partition, out PartitionConsumer<TKey, TValue>? consumer)) return;
        _committed.Remove(partition);
        _stopping.RemoveAll(t => t.IsCompleted);
        _stopping.Add(consumer.StopAsync().AsTask());
    }

    private void PublishLocked()
    {
        Volatile.Write(ref _active, [.. _partitions.Values.Where(p => !p.IsRevoking).OrderBy(p => p.TopicPartition)]);
        _assignmentChanged.Writer.TryWrite(true);
        _context.SignalDataReady();
    }

    IEnumerable<Measurement<long>> ILagSource.ObserveLag()
    {
        List<Measurement<long>> lags = [];
        lock (_lock)
        {
            foreach (PartitionConsumer<TKey, TValue> p in _partitions.Values)
            {
                if (p.Lag is { } lag) lags.Add(ConsumerTelemetry.LagOf(p.TopicPartition, _options.GroupId, lag));
            }
        }
        return lags;
    }

    /// <summary>An error for the application that concerns no single partition: the consume loop throws it once.</summary>
    private void ReportError(Exception error)
    {
        Interlocked.CompareExchange(ref _pendingError, error, null);
        _assignmentChanged.Writer.TryWrite(true);
        _context.SignalDataReady();
    }
}
