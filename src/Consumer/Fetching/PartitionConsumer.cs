using System.Threading.Channels;
using KafkaNative.Client;
using KafkaNative.Protocol;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Consumer.Fetching;

/// <summary>
/// One assigned partition (Sarama's partitionConsumer): its fetch position, its consumed position,
/// and the two loops that serve it: the <see cref="PartitionDispatcher"/> (finds the leader and
/// subscribes to that broker's <see cref="BrokerConsumer"/>) and the feeder (decodes fetched
/// records and delivers them to the application). This base is what the broker consumer sees.
/// </summary>
internal abstract partial class PartitionConsumer
{
    private const long NoReset = 0;
    private readonly Lock _lock = new();
    private readonly Channel<bool> _trigger = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<FetchedPartition> _fed = Channel.CreateBounded<FetchedPartition>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private long _fetchOffset;
    private long _consumed = TopicPartitionOffset.Unset;
    private long _resetTo;
    private int _version;
    private bool _paused;
    private volatile bool _stopped;
    private volatile bool _revoking;
    private volatile bool _failed;
    private BrokerConsumer? _subscribedTo;
    private PartitionDispatcher? _dispatcher;

    protected PartitionConsumer(ConsumerContext context, TopicPartition partition, long initialOffset)
    {
        Context = context;
        TopicPartition = partition;
        Topic = partition.Topic;
        Partition = partition.Partition;
        if (initialOffset >= 0)
        {
            _fetchOffset = initialOffset;
            _consumed = initialOffset;
        }
        else
        {
            _resetTo = initialOffset is TopicPartitionOffset.Beginning or TopicPartitionOffset.End or OffsetResolver.Committed ? initialOffset : TopicPartitionOffset.Unset;
        }
    }

    public ConsumerContext Context { get; }

    /// <summary>The application's message of this partition not yet finished with; a revocation waits for it.</summary>
    public RecordInHand InHand { get; } = new();

    public TopicPartition TopicPartition { get; }

    public string Topic { get; }

    public int Partition { get; }

    public bool IsStopped => _stopped;

    /// <summary>The group is taking the partition away: nothing more is fetched or handed out, but its position still commits.</summary>
    public bool IsRevoking => _revoking;

    public int Version => Volatile.Read(ref _version);

    /// <summary>The broker consumer the dispatcher holds a reference on (owned by the dispatcher).</summary>
    public BrokerConsumer? Broker { get; set; }

    /// <summary>The broker consumer this partition is subscribed to, or null while it is being dispatched.</summary>
    public BrokerConsumer? SubscribedTo => Volatile.Read(ref _subscribedTo);

    /// <summary>Set when the next dispatch should refresh metadata first (a leader moved).</summary>
    public volatile bool NeedsMetadataRefresh;

    /// <summary>Set when the next dispatch should wait <see cref="ConsumerOptions.RetryBackoff"/> first.</summary>
    public volatile bool NeedsBackoff;

    public long HighWatermark { get; private set; } = -1;

    public long LogStartOffset { get; private set; } = -1;

    /// <summary>The last stable offset of the last fetch (below it no transaction is open), or -1.</summary>
    public long LastStableOffset { get; private set; } = -1;

    /// <summary>
    /// The next offset the application gets (last consumed + 1, or past the control records and aborted
    /// transactions that follow it once they are fetched), or <see cref="TopicPartitionOffset.Unset"/>.
    /// </summary>
    public long Position => Volatile.Read(ref _consumed);

    /// <summary>
    /// Messages between the position and what this consumer can read, as the Java client counts them:
    /// the high watermark, or under read_committed the last stable offset; null while either is unknown.
    /// </summary>
    public long? Lag
    {
        get
        {
            long position = Position;
            long end = Context.Options.IsolationLevel == IsolationLevel.ReadCommitted ? LastStableOffset : HighWatermark;
            return position >= 0 && end >= 0 ? Math.Max(0, end - position) : null;
        }
    }

    /// <summary>A reset waiting for the dispatcher: Beginning, End, Unset (the policy), or 0 for none.</summary>
    public long PendingReset
    {
        get
        {
            lock (_lock) return _resetTo;
        }
    }

    internal ChannelReader<bool> Triggers => _trigger.Reader;

    internal ChannelReader<FetchedPartition> Fed => _fed.Reader;

    /// <summary>Wakes the dispatcher.</summary>
    public void Trigger() => _trigger.Writer.TryWrite(true);

    /// <summary>Starts the dispatcher and the feeder; <see cref="StopAsync"/> stops them.</summary>
    public void Start()
    {
        _dispatcher = new PartitionDispatcher(this);
        _dispatcher.Start(_stop.Token);
        Feeder.Start(_stop.Token);
        Trigger();
    }

    /// <summary>The loop that decodes fetched data and delivers it to the application.</summary>
    protected abstract SupervisedLoop Feeder { get; }

    /// <summary>
    /// Supervision for both loops: if one fails unexpectedly (a bug), the partition stops taking fetched
    /// data (the broker consumer drops it), and the application gets the error at this point of the
    /// partition's stream; assigning the partition again starts it afresh.
    /// </summary>
    public async ValueTask OnLoopFaultedAsync(string loop, Exception error)
    {
        _failed = true;
        _fed.Writer.TryComplete();
        _trigger.Writer.TryComplete();
        SubscribedTo?.Wake();
        await ReportErrorAsync(new KafkaConsumeException(ErrorCode.UnknownServerError, TopicPartition,
            $"{TopicPartition}: the {loop} loop failed unexpectedly: {error.Message}", error), _stop.Token).ConfigureAwait(false);
    }

    /// <summary>Reports an error to the application at this point of the partition's stream.</summary>
    public abstract ValueTask ReportErrorAsync(Exception error, CancellationToken cancellationToken);

    /// <summary>Drops messages buffered for the application (after a seek or pause).</summary>
    protected abstract void DiscardBuffered();

    // ---- dispatcher side ----

    public void MarkSubscribed(BrokerConsumer broker) => Volatile.Write(ref _subscribedTo, broker);

    /// <summary>Clears the subscription if it is still <paramref name="broker"/>.</summary>
    public bool ClearSubscription(BrokerConsumer broker) => Interlocked.CompareExchange(ref _subscribedTo, null, broker) == broker;

    public void CompleteReset(long resetTo, long offset, int epoch = NoEpoch)
    {
        lock (_lock)
        {
            if (_resetTo != resetTo) return;
            _resetTo = NoReset;
            _fetchOffset = offset;
            _consumed = offset;
            // A committed offset's epoch (else unknown): the position is validated against the leader before the first fetch.
            _offsetEpoch = epoch;
            _consumedEpoch = epoch;
            _validatePending = epoch >= 0;
            _version++;
        }
    }

    // ---- broker consumer side ----

    /// <summary>Where to fetch from, unless the partition is paused, stopped or waiting for an offset reset.</summary>
    public bool TryGetFetchPosition(out long offset, out int version)
    {
        lock (_lock)
        {
            offset = _fetchOffset;
            version = _version;
            return !_stopped && !_paused && !_revoking && !_failed && _resetTo == NoReset;
        }
    }

    /// <summary>
    /// As <see cref="TryGetFetchPosition"/>, with the leader epoch of the last batch fetched before the offset (Fetch's
    /// LastFetchedEpoch, -1 when unknown) and the leader epoch the partition fetches at (CurrentLeaderEpoch, -1 when unknown).
    /// </summary>
    public bool TryGetFetchState(out long offset, out int version, out int lastFetchedEpoch, out int currentLeaderEpoch)
    {
        lock (_lock)
        {
            lastFetchedEpoch = _offsetEpoch;
            currentLeaderEpoch = _leaderEpoch;
            return TryGetFetchPosition(out offset, out version);
        }
    }

    /// <summary>Hands a share of a fetch to the feeder; false when the partition stopped (the caller acknowledges it).</summary>
    public bool TryFeed(FetchedPartition fetched)
    {
        lock (_lock)
        {
            return !_stopped && _fed.Writer.TryWrite(fetched);
        }
    }

    /// <summary>The broker consumer dropped this partition (its fetch failed): find the leader again.</summary>
    public void OnBrokerFailed(BrokerConsumer broker)
    {
        if (!ClearSubscription(broker)) return;
        NeedsMetadataRefresh = true;
        NeedsBackoff = true;
        Trigger();
    }

    // ---- feeder side ----

    /// <summary>Moves the fetch position past a fetch whose last batch had leader epoch <paramref name="epoch"/> (-1: unchanged).</summary>
    public bool TryAdvanceFetchOffset(int version, long next, int epoch)
    {
        lock (_lock)
        {
            if (version != _version) return false;
            _fetchOffset = next;
            if (epoch >= 0) _offsetEpoch = epoch;
            return true;
        }
    }

    public void RequestPolicyReset(int version)
    {
        lock (_lock)
        {
            if (version != _version) return;
            _resetTo = TopicPartitionOffset.Unset;
        }
    }

    public void UpdateWatermarks(long highWatermark, long lastStableOffset, long logStartOffset)
    {
        if (highWatermark >= 0) HighWatermark = highWatermark;
        if (lastStableOffset >= 0) LastStableOffset = lastStableOffset;
        if (logStartOffset >= 0) LogStartOffset = logStartOffset;
    }

    // ---- application side ----

    /// <summary>
    /// Records that the application is done with every message before <paramref name="next"/>, the last batch before it
    /// of leader epoch <paramref name="epoch"/> (-1 when unknown), which commits carry.
    /// </summary>
    public void MarkConsumed(int version, long next, int epoch)
    {
        lock (_lock)
        {
            if (version != _version || next <= _consumed) return;
            _consumed = next;
            _consumedEpoch = epoch;
        }
    }

    /// <summary>The application stored <paramref name="next"/> as the position to commit (any offset, as Confluent's StoreOffset), its epoch if known.</summary>
    public void StoreOffset(long next, int epoch = -1)
    {
        lock (_lock)
        {
            _consumed = next;
            _consumedEpoch = epoch;
        }
    }

    /// <summary>Stops fetching and handing out messages while the revoke callback and commit run; <see cref="StopAsync"/> follows.</summary>
    public void BeginRevoke()
    {
        _revoking = true;
        SubscribedTo?.Wake();
    }

    /// <summary>Moves the partition to <paramref name="offset"/> (or Beginning / End); buffered messages are dropped.</summary>
    public void Seek(long offset)
    {
        bool reset;
        lock (_lock)
        {
            _version++;
            reset = offset < 0;
            if (reset)
            {
                _resetTo = offset is TopicPartitionOffset.Beginning or TopicPartitionOffset.End ? offset : TopicPartitionOffset.Unset;
                _consumed = TopicPartitionOffset.Unset;
                _consumedEpoch = NoEpoch;
            }
            else
            {
                _resetTo = NoReset;
                _fetchOffset = offset;
                _consumed = offset;
                _consumedEpoch = NoEpoch;
            }
            _offsetEpoch = NoEpoch;
            _validatePending = false;
        }
        DiscardBuffered();
        Trigger();
        SubscribedTo?.Wake();
    }

    public void Pause()
    {
        lock (_lock)
        {
            if (_paused) return;
            _paused = true;
            _version++;
            if (_consumed >= 0 && _consumed != _fetchOffset)
            {
                _fetchOffset = _consumed;
                _offsetEpoch = _consumedEpoch;
            }
        }
        DiscardBuffered();
    }

    public void Resume()
    {
        lock (_lock)
        {
            if (!_paused) return;
            _paused = false;
        }
        Trigger();
        SubscribedTo?.Wake();
    }

    /// <summary>Stops both loops, acknowledges any share still held, and releases the broker consumer.</summary>
    public async ValueTask StopAsync()
    {
        lock (_lock)
        {
            if (_stopped) return;
            _stopped = true;
        }
        _stop.Cancel();
        SubscribedTo?.Wake();
        if (_dispatcher is not null) await _dispatcher.StopAsync().ConfigureAwait(false);
        await Feeder.StopAsync().ConfigureAwait(false);
        while (_fed.Reader.TryRead(out FetchedPartition? left))
        {
            left.ReleaseBuffer();
            left.Acknowledge(this, unsubscribe: true);
        }
        if (Broker is { } broker)
        {
            Broker = null;
            Context.Registry.Release(broker);
        }
        DiscardBuffered();
        OnStopped();
        _stop.Dispose();
    }

    protected abstract void OnStopped();
}
