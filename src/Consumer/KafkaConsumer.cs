using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using KafkaNative.Client;
using KafkaNative.Consumer.Deserialization;
using KafkaNative.Consumer.Fetching;
using KafkaNative.Consumer.Groups;
using KafkaNative.Protocol;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Consumer;

/// <summary>
/// Reads messages from Kafka: from the partitions a consumer group assigns (<see cref="Subscribe(IEnumerable{string})"/>)
/// or from partitions chosen by the application (<see cref="Assign(IEnumerable{TopicPartitionOffset})"/>).
/// Read with <c>await foreach (var message in consumer.ConsumeAsync(ct))</c>, or with a handler per
/// partition (<see cref="ConsumeAsync(Func{ConsumeResult{TKey, TValue}, CancellationToken, ValueTask}, CancellationToken)"/>).
/// </summary>
/// <remarks>
/// Delivery is at least once: a message counts as consumed once the application asks for the next one
/// (or its handler returned), and only consumed offsets are committed. Thread safety: one consume loop at a
/// time; the other methods may be called from any thread.
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed class KafkaConsumer<TKey, TValue> : IAsyncDisposable, IGroupListener
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
    private readonly ConsumerGroupMember? _group;
    private readonly SemaphoreSlim _commitLock = new(1, 1);
    private PartitionConsumer<TKey, TValue>[] _active = [];
    private Task? _groupLoop;
    private Task? _autoCommitLoop;
    private bool _subscribed;
    private IReadOnlyList<string> _subscription = [];
    private Exception? _fatal;
    private int _consuming;
    private int _disposeState;
    private bool _abandon;

    // The merged reader's position: the chunk being read, and the message to mark consumed on the next read.
    private MessageChunk<TKey, TValue>? _chunk;
    private PartitionConsumer<TKey, TValue>? _chunkPartition;
    private PartitionConsumer<TKey, TValue>? _markPartition;
    private int _markVersion;
    private long _markOffset;
    private int _cursor;

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
        _context = new ConsumerContext(_cluster, options);
        if (options.GroupId is not null)
        {
            _group = new ConsumerGroupMember(_cluster, options, this);
            _context.CommittedLookup = async (partition, cancellationToken) =>
                (await _group.FetchCommittedAsync([partition], cancellationToken).ConfigureAwait(false))[0].Offset;
        }
    }

    /// <summary>Called after the group assigned partitions, before their messages are read.</summary>
    public PartitionsHandler? PartitionsAssigned { get; set; }

    /// <summary>Called when the group takes partitions away in a rebalance (their consumed offsets are committed right after, with auto commit).</summary>
    public PartitionsHandler? PartitionsRevoked { get; set; }

    /// <summary>Called when partitions were lost (this member was dropped from the group): they may already belong to another member, so nothing is committed.</summary>
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
        if (_group is null) throw new InvalidOperationException("Subscribe needs ConsumerOptions.GroupId; use Assign to consume without a group.");
        lock (_lock)
        {
            if (!_subscribed && _partitions.Count > 0) throw new InvalidOperationException("Partitions were assigned manually; a consumer either subscribes or assigns.");
            _subscription = topics;
            _group.SetSubscription(topics, pattern);
            if (_subscribed) return;
            _subscribed = true;
            CancellationToken token = _disposed.Token;
            _groupLoop = Task.Run(() => _group.RunAsync(token));
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

    /// <summary>The offset of the next message the application gets from the partition, or <see cref="TopicPartitionOffset.Unset"/> before it is known.</summary>
    public long Position(TopicPartition partition) => GetPartition(partition).Position;

    /// <summary>The low and high watermarks last seen in a fetch of the partition (-1 when not yet fetched).</summary>
    public (long Low, long High) GetWatermarkOffsets(TopicPartition partition)
    {
        PartitionConsumer p = GetPartition(partition);
        return (p.LogStartOffset, p.HighWatermark);
    }

    /// <summary>Messages between the position and the high watermark of the last fetch, or null when either is unknown.</summary>
    public long? GetLag(TopicPartition partition)
    {
        PartitionConsumer p = GetPartition(partition);
        long position = p.Position, high = p.HighWatermark;
        return position >= 0 && high >= 0 ? Math.Max(0, high - position) : null;
    }

    /// <summary>Asks the partition's leader for its low and high watermarks.</summary>
    public async Task<(long Low, long High)> QueryWatermarkOffsetsAsync(TopicPartition partition, CancellationToken cancellationToken = default)
    {
        long low = await OffsetResolver.ListOffsetAsync(_context, partition, -2, cancellationToken).ConfigureAwait(false);
        long high = await OffsetResolver.ListOffsetAsync(_context, partition, -1, cancellationToken).ConfigureAwait(false);
        return (low, high);
    }

    /// <summary>The group's committed offsets for these partitions (-1 where nothing is committed).</summary>
    /// <exception cref="InvalidOperationException">No GroupId.</exception>
    public Task<IReadOnlyList<TopicPartitionOffset>> CommittedAsync(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        if (_group is null) throw new InvalidOperationException("Committed offsets need ConsumerOptions.GroupId.");
        return _group.FetchCommittedAsync([.. partitions], cancellationToken);
    }

    /// <summary>Commits the consumed offsets of every assigned partition (those changed since the last commit).</summary>
    /// <returns>The offsets committed.</returns>
    /// <exception cref="InvalidOperationException">No GroupId.</exception>
    /// <exception cref="KafkaErrorException">The commit failed (REBALANCE_IN_PROGRESS and the like: the partitions are moving).</exception>
    public async Task<IReadOnlyList<TopicPartitionOffset>> CommitAsync(CancellationToken cancellationToken = default)
    {
        if (_group is null) throw new InvalidOperationException("Commits need ConsumerOptions.GroupId.");
        List<TopicPartitionOffset> offsets;
        lock (_lock)
        {
            offsets = _partitions.Values
                .Select(p => new TopicPartitionOffset(p.TopicPartition, p.Position))
                .Where(o => o.Offset >= 0 && (!_committed.TryGetValue(o.TopicPartition, out long c) || c != o.Offset))
                .ToList();
        }
        await CommitAsync(offsets, cancellationToken).ConfigureAwait(false);
        return offsets;
    }

    /// <summary>Commits explicit offsets (each the offset of the next message to read, i.e. last processed + 1).</summary>
    /// <exception cref="InvalidOperationException">No GroupId.</exception>
    /// <exception cref="KafkaErrorException">The commit failed.</exception>
    public async Task CommitAsync(IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        if (_group is null) throw new InvalidOperationException("Commits need ConsumerOptions.GroupId.");
        List<TopicPartitionOffset> list = [.. offsets];
        if (list.Any(o => o.Offset < 0)) throw new ArgumentException("Committed offsets must not be negative.", nameof(offsets));
        if (list.Count == 0) return;
        await _commitLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _group.CommitAsync(list, cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                foreach (TopicPartitionOffset o in list) _committed[o.TopicPartition] = o.Offset;
            }
        }
        finally
        {
            _commitLock.Release();
        }
    }

    /// <summary>
    /// Reads messages from every assigned partition, one partition's chunk at a time in turn, as they
    /// arrive; waits while there are none. A message counts as consumed when the next one is requested.
    /// </summary>
    /// <param name="cancellationToken">Ends the enumeration (with <see cref="OperationCanceledException"/>).</param>
    /// <exception cref="KafkaConsumeException">A partition cannot be read (reset policy Error, authorization, a message that fails to deserialize: reading again continues after it), or the group fenced this member.</exception>
    /// <exception cref="InvalidOperationException">Another consume loop is running.</exception>
    public async IAsyncEnumerable<ConsumeResult<TKey, TValue>> ConsumeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        EnterConsume();
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                MarkPending();
                ThrowIfFatalOrDisposed();
                if (_chunk is null && !TryTakeChunk())
                {
                    _context.ResetDataReady();
                    if (!TryTakeChunk())
                    {
                        await _context.WaitDataReadyAsync(cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                }
                MessageChunk<TKey, TValue> chunk = _chunk!;
                PartitionConsumer<TKey, TValue> partition = _chunkPartition!;
                if (chunk.Version != partition.Version || partition.IsStopped)
                {
                    DropChunk();
                    continue;
                }
                if (chunk.Next < chunk.Count)
                {
                    ConsumeResult<TKey, TValue> item = chunk.Items[chunk.Next++];
                    _markPartition = partition;
                    _markVersion = chunk.Version;
                    _markOffset = item.Offset + 1;
                    yield return item;
                    continue;
                }
                Exception? error = chunk.Error;
                long errorNext = chunk.ErrorNextOffset;
                DropChunk();
                if (error is not null)
                {
                    if (errorNext >= 0) partition.MarkConsumed(partition.Version, errorNext);
                    throw error;
                }
            }
        }
        finally
        {
            Volatile.Write(ref _consuming, 0);
        }
    }

    /// <summary>
    /// Runs <paramref name="handler"/> for every message, each partition in its own task (messages of
    /// one partition in order, partitions in parallel), until cancelled. A slow handler on one
    /// partition does not hold up the others. A message counts as consumed when its handler returns.
    /// </summary>
    /// <param name="handler">Handles one message.</param>
    /// <param name="cancellationToken">Stops consuming.</param>
    /// <exception cref="KafkaConsumeException">A partition cannot be read, or the group fenced this member.</exception>
    /// <exception cref="InvalidOperationException">Another consume loop is running.</exception>
    public async Task ConsumeAsync(Func<ConsumeResult<TKey, TValue>, CancellationToken, ValueTask> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        EnterConsume();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var workers = new Dictionary<PartitionConsumer<TKey, TValue>, Task>();
        try
        {
            while (true)
            {
                ThrowIfFatalOrDisposed();
                cancellationToken.ThrowIfCancellationRequested();
                _assignmentChanged.Reader.TryRead(out _);
                foreach (PartitionConsumer<TKey, TValue> partition in Volatile.Read(ref _active))
                {
                    if (!workers.ContainsKey(partition)) workers[partition] = Task.Run(() => RunPartitionAsync(partition, handler, stop.Token));
                }
                foreach ((PartitionConsumer<TKey, TValue> partition, Task worker) in workers.Where(w => w.Value.IsCompleted).ToList())
                {
                    workers.Remove(partition);
                    await worker.ConfigureAwait(false);
                }
                Task changed = _assignmentChanged.Reader.WaitToReadAsync(stop.Token).AsTask();
                await Task.WhenAny(workers.Values.Append(changed)).ConfigureAwait(false);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (Task worker in workers.Values)
            {
                try
                {
                    await worker.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopping.
                }
            }
            Volatile.Write(ref _consuming, 0);
        }
    }

    private async Task RunPartitionAsync(PartitionConsumer<TKey, TValue> partition, Func<ConsumeResult<TKey, TValue>, CancellationToken, ValueTask> handler, CancellationToken cancellationToken)
    {
        ChannelReader<MessageChunk<TKey, TValue>> messages = partition.Messages;
        while (await messages.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (messages.TryRead(out MessageChunk<TKey, TValue>? chunk))
            {
                try
                {
                    int version = chunk.Version;
                    for (int i = 0; i < chunk.Count; i++)
                    {
                        if (partition.Version != version || partition.IsStopped) break;
                        ConsumeResult<TKey, TValue> item = chunk.Items[i];
                        await handler(item, cancellationToken).ConfigureAwait(false);
                        partition.MarkConsumed(version, item.Offset + 1);
                    }
                    if (chunk.Error is { } error && partition.Version == version)
                    {
                        if (chunk.ErrorNextOffset >= 0) partition.MarkConsumed(version, chunk.ErrorNextOffset);
                        throw error;
                    }
                }
                finally
                {
                    partition.ReturnChunk(chunk);
                }
            }
        }
    }

    private void EnterConsume()
    {
        ObjectDisposedException.ThrowIf(_disposeState != 0, this);
        if (Interlocked.Exchange(ref _consuming, 1) != 0) throw new InvalidOperationException("Another consume loop is running on this consumer.");
    }

    private void ThrowIfFatalOrDisposed()
    {
        if (Volatile.Read(ref _fatal) is { } fatal) throw fatal;
        ObjectDisposedException.ThrowIf(_disposeState != 0, this);
    }

    private void MarkPending()
    {
        if (_markPartition is null) return;
        _markPartition.MarkConsumed(_markVersion, _markOffset);
        _markPartition = null;
    }

    private bool TryTakeChunk()
    {
        PartitionConsumer<TKey, TValue>[] active = Volatile.Read(ref _active);
        for (int i = 0; i < active.Length; i++)
        {
            PartitionConsumer<TKey, TValue> partition = active[(_cursor + i) % active.Length];
            if (partition.Messages.TryRead(out MessageChunk<TKey, TValue>? chunk))
            {
                _cursor = (_cursor + i + 1) % active.Length;
                _chunk = chunk;
                _chunkPartition = partition;
                return true;
            }
        }
        return false;
    }

    private void DropChunk()
    {
        if (_chunk is not null) _chunkPartition!.ReturnChunk(_chunk);
        _chunk = null;
        _chunkPartition = null;
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
        Volatile.Write(ref _active, [.. _partitions.Values.OrderBy(p => p.TopicPartition)]);
        _assignmentChanged.Writer.TryWrite(true);
        _context.SignalDataReady();
    }

    private void StartAutoCommit()
    {
        if (_group is null || !_options.EnableAutoCommit || _autoCommitLoop is not null) return;
        CancellationToken token = _disposed.Token;
        var loop = new AutoCommitLoop(_options.AutoCommitInterval, AutoCommitAsync);
        _autoCommitLoop = Task.Run(() => loop.RunAsync(token));
    }

    private async Task AutoCommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is KafkaException or TimeoutException or ObjectDisposedException)
        {
            Log.CommitFailed(_logger, error, _options.GroupId ?? "");
        }
    }

    /// <summary>For tests: stops like a crashed process would, without committing or leaving the group.</summary>
    internal ValueTask AbandonAsync()
    {
        _abandon = true;
        return DisposeAsync();
    }

    async Task IGroupListener.OnAssignedAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            foreach (TopicPartition partition in partitions)
            {
                if (!_partitions.ContainsKey(partition)) StartPartitionLocked(partition, OffsetResolver.Committed);
            }
            PublishLocked();
        }
        await InvokeAsync(PartitionsAssigned, partitions, cancellationToken).ConfigureAwait(false);
    }

    async Task IGroupListener.OnRevokedAsync(IReadOnlyList<TopicPartition> partitions, bool lost, CancellationToken cancellationToken)
    {
        List<PartitionConsumer<TKey, TValue>> stopped = [];
        lock (_lock)
        {
            foreach (TopicPartition partition in partitions)
            {
                if (_partitions.Remove(partition, out PartitionConsumer<TKey, TValue>? consumer)) stopped.Add(consumer);
            }
            PublishLocked();
        }
        foreach (PartitionConsumer<TKey, TValue> consumer in stopped) await consumer.StopAsync().ConfigureAwait(false);
        await InvokeAsync(lost ? PartitionsLost : PartitionsRevoked, partitions, cancellationToken).ConfigureAwait(false);
        if (!lost && _options.EnableAutoCommit && _group is not null)
        {
            List<TopicPartitionOffset> offsets;
            lock (_lock)
            {
                offsets = stopped.Select(p => new TopicPartitionOffset(p.TopicPartition, p.Position))
                    .Where(o => o.Offset >= 0 && (!_committed.TryGetValue(o.TopicPartition, out long c) || c != o.Offset)).ToList();
            }
            try
            {
                await CommitAsync(offsets, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is KafkaException or TimeoutException)
            {
                Log.CommitFailed(_logger, error, _options.GroupId ?? "");
            }
        }
        lock (_lock)
        {
            foreach (PartitionConsumer<TKey, TValue> consumer in stopped) _committed.Remove(consumer.TopicPartition);
        }
    }

    void IGroupListener.OnFatalError(Exception error)
    {
        Volatile.Write(ref _fatal, error);
        _assignmentChanged.Writer.TryWrite(true);
        _context.SignalDataReady();
    }

    private async Task InvokeAsync(PartitionsHandler? handler, IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        if (handler is null || partitions.Count == 0) return;
        try
        {
            await handler(partitions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            Log.CallbackFailed(_logger, error, _options.GroupId ?? "");
        }
    }

    /// <summary>
    /// Commits consumed offsets (with auto commit), stops fetching, leaves the group (dynamic members;
    /// static members keep their place until the session times out) and closes the connections.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeState, 1) != 0) return;
        using var timeout = new CancellationTokenSource(_options.RequestTimeout);
        if (_group is not null && _options.EnableAutoCommit && !_abandon)
        {
            try
            {
                await CommitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception error) when (error is KafkaException or OperationCanceledException or TimeoutException or ObjectDisposedException)
            {
                Log.CommitFailed(_logger, error, _options.GroupId ?? "");
            }
        }
        await _disposed.CancelAsync().ConfigureAwait(false);
        foreach (Task? loop in new[] { _groupLoop, _autoCommitLoop })
        {
            if (loop is null) continue;
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Disposing.
            }
        }
        List<PartitionConsumer<TKey, TValue>> all;
        List<Task> stopping;
        lock (_lock)
        {
            all = [.. _partitions.Values];
            _partitions.Clear();
            stopping = [.. _stopping];
            Volatile.Write(ref _active, []);
        }
        foreach (PartitionConsumer<TKey, TValue> partition in all) await partition.StopAsync().ConfigureAwait(false);
        await Task.WhenAll(stopping).ConfigureAwait(false);
        if (_subscribed && _group is not null && !_abandon)
        {
            await InvokeAsync(PartitionsRevoked, all.Select(p => p.TopicPartition).ToList(), timeout.Token).ConfigureAwait(false);
            await _group.LeaveAsync(timeout.Token).ConfigureAwait(false);
        }
        _group?.Dispose();
        await _context.Registry.DisposeAsync().ConfigureAwait(false);
        await _cluster.DisposeAsync().ConfigureAwait(false);
        _context.SignalDataReady();
        _commitLock.Dispose();
        _disposed.Dispose();
    }
}
