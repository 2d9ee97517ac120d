using System.Buffers;
using System.Runtime.CompilerServices;
using KafkaNative.Client;
using KafkaNative.Producer;
using KafkaNative.Producer.Pipeline;
using KafkaNative.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace KafkaNative;

/// <summary>
/// Produces records to Kafka. Built the way Sarama's async producer is: a dispatcher fans records
/// out to one task per topic, then one per partition, then one per broker (which aggregates batches
/// and sends them), all joined by bounded channels. Thread-safe; create one per application and
/// share it.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed partial class KafkaProducer<TKey, TValue> : IKafkaProducer<TKey, TValue>
{
    private readonly ProducerContext _context;
    private readonly Dispatcher _dispatcher;
    private readonly ISerializer<TKey> _keySerializer;
    private readonly ISerializer<TValue> _valueSerializer;
    private readonly KafkaCluster _cluster;
    private readonly SerializationArena _arena;
    private int _closing;

    /// <summary>Creates a producer. Nothing connects until the first record is produced.</summary>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="keySerializer">Key serializer; defaults to the built-in one for string, byte[], memory, int and long.</param>
    /// <param name="valueSerializer">Value serializer; same defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid, or there is no built-in serializer for a type.</exception>
    public KafkaProducer(ProducerOptions options, ISerializer<TKey>? keySerializer = null, ISerializer<TValue>? valueSerializer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _keySerializer = keySerializer ?? Serializers.DefaultFor<TKey>()
            ?? throw new ArgumentException($"No built-in serializer for {typeof(TKey)}; pass one.", nameof(keySerializer));
        _valueSerializer = valueSerializer ?? Serializers.DefaultFor<TValue>()
            ?? throw new ArgumentException($"No built-in serializer for {typeof(TValue)}; pass one.", nameof(valueSerializer));
        _cluster = new KafkaCluster(options);
        _arena = new SerializationArena(options.BufferMemory);
        _context = new ProducerContext(options, _cluster, options.LoggerFactory.CreateLogger("KafkaNative.Producer"));
        _dispatcher = new Dispatcher(_context);
        _dispatcher.Start(_context.Shutdown.Token);
    }

    /// <summary>Bytes of records buffered (taken from <see cref="ProducerOptions.BufferMemory"/>) right now.</summary>
    public long BufferedBytes => _context.Budget.InUse;

    /// <summary>Records handed over and not yet acknowledged or failed.</summary>
    public long PendingRecords => _context.Flushes.Outstanding;

    /// <summary>
    /// Why the cluster could not be reached: the error of the latest metadata refresh that reached no broker
    /// (the one <see cref="KafkaClientOptions.OnClusterUnreachable"/> was told), or null once a refresh
    /// succeeded, and before any failed. A cheap signal for health checks; it asks nothing of the cluster.
    /// </summary>
    public KafkaConnectionException? ClusterUnreachable => _cluster.Unreachable;

    /// <summary>
    /// Produces a record and completes once it is acknowledged (as <see cref="ProducerOptions.Acks"/>
    /// asks) or has failed. Waits, without blocking a thread, while the buffer memory is spent.
    /// </summary>
    /// <param name="topic">The topic.</param>
    /// <param name="key">The key, or null; records with the same key go to the same partition.</param>
    /// <param name="value">The value, or null (a tombstone on compacted topics).</param>
    /// <param name="headers">Record headers, or null.</param>
    /// <param name="cancellationToken">Cancels waiting for buffer memory. Once the record is buffered it is delivered or fails on its own; cancelling then only stops the wait.</param>
    /// <returns>Where the record was written.</returns>
    /// <exception cref="ProduceException">The record was not delivered within <see cref="ProducerOptions.DeliveryTimeout"/>, or the broker refused it.</exception>
    /// <exception cref="ArgumentException">The topic is null or empty, or the record is larger than <see cref="ProducerOptions.MaxRecordSize"/>.</exception>
    /// <exception cref="ObjectDisposedException">The producer is closing.</exception>
    public ValueTask<DeliveryResult> ProduceAsync(string topic, TKey? key, TValue? value, RecordHeader[]? headers = null, CancellationToken cancellationToken = default) =>
        ProduceAsync(topic, -1, key, value, headers, cancellationToken);

    /// <summary>Produces a record to an explicit partition; see <see cref="ProduceAsync(string, TKey, TValue, RecordHeader[], CancellationToken)"/>.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition, or -1 to let the partitioner choose.</param>
    /// <param name="key">The key, or null.</param>
    /// <param name="value">The value, or null.</param>
    /// <param name="headers">Record headers, or null.</param>
    /// <param name="cancellationToken">Cancels waiting for buffer memory.</param>
    public ValueTask<DeliveryResult> ProduceAsync(string topic, int partition, TKey? key, TValue? value, RecordHeader[]? headers = null, CancellationToken cancellationToken = default) =>
        ProduceCoreAsync(topic, partition, key, value, headers, NoTimestamp, cancellationToken);

    /// <summary>Produces a message with its headers and timestamp; see <see cref="ProduceAsync(string, TKey, TValue, RecordHeader[], CancellationToken)"/>.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="message">The key, value, headers and timestamp.</param>
    /// <param name="cancellationToken">Cancels waiting for buffer memory.</param>
    public ValueTask<DeliveryResult> ProduceAsync(string topic, Message<TKey, TValue> message, CancellationToken cancellationToken = default) =>
        ProduceCoreAsync(topic, -1, message.Key, message.Value, message.Headers, TimestampOf(message), cancellationToken);

    /// <summary>Produces a message to an explicit partition; see <see cref="ProduceAsync(string, TKey, TValue, RecordHeader[], CancellationToken)"/>.</summary>
    /// <param name="partition">The topic and partition (a partition of -1 lets the partitioner choose).</param>
    /// <param name="message">The key, value, headers and timestamp.</param>
    /// <param name="cancellationToken">Cancels waiting for buffer memory.</param>
    public ValueTask<DeliveryResult> ProduceAsync(TopicPartition partition, Message<TKey, TValue> message, CancellationToken cancellationToken = default) =>
        ProduceCoreAsync(partition.Topic, partition.Partition, message.Key, message.Value, message.Headers, TimestampOf(message), cancellationToken);

    private ValueTask<DeliveryResult> ProduceCoreAsync(string topic, int partition, TKey? key, TValue? value, RecordHeader[]? headers, long timestamp, CancellationToken cancellationToken)
    {
        var promise = new DeliveryPromise();
        ValueTask enqueued = EnqueueCoreAsync(topic, partition, key, value, headers, timestamp, promise, cancellationToken);
        return enqueued.IsCompletedSuccessfully ? promise.Task : AwaitBoth(enqueued, promise);

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        static async ValueTask<DeliveryResult> AwaitBoth(ValueTask enqueued, DeliveryPromise promise)
        {
            await enqueued.ConfigureAwait(false);
            return await promise.Task.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Fire and forget, for throughput: completes as soon as the record is buffered (waiting while the
    /// buffer memory is spent, which is the backpressure). The outcome goes to <paramref name="onDelivery"/>,
    /// called on a producer task: keep it short, and never block in it.
    /// </summary>
    /// <param name="topic">The topic.</param>
    /// <param name="key">The key, or null.</param>
    /// <param name="value">The value, or null.</param>
    /// <param name="headers">Record headers, or null.</param>
    /// <param name="onDelivery">Told the outcome; null to ignore it (failures are still logged).</param>
    /// <param name="cancellationToken">Cancels waiting for buffer memory.</param>
    /// <exception cref="ArgumentException">The topic is null or empty, or the record is too large.</exception>
    /// <exception cref="ObjectDisposedException">The producer is closing.</exception>
    public ValueTask EnqueueAsync(string topic, TKey? key, TValue? value, RecordHeader[]? headers = null, Action<DeliveryReport>? onDelivery = null, CancellationToken cancellationToken = default) =>
        EnqueueCoreAsync(topic, -1, key, value, headers, NoTimestamp, onDelivery, cancellationToken);

    /// <summary>Fire and forget a message with its headers and timestamp; see <see cref="EnqueueAsync(string, TKey, TValue, RecordHeader[], Action{DeliveryReport}, CancellationToken)"/>.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="message">The key, value, headers and timestamp.</param>
    /// <param name="onDelivery">Told the outcome; null to ignore it (failures are still logged).</param>
    /// <param name="cancellationToken">Cancels waiting for buffer memory.</param>
    public ValueTask EnqueueAsync(string topic, Message<TKey, TValue> message, Action<DeliveryReport>? onDelivery = null, CancellationToken cancellationToken = default) =>
        EnqueueCoreAsync(topic, -1, message.Key, message.Value, message.Headers, TimestampOf(message), onDelivery, cancellationToken);

    /// <summary>Sends what is buffered now (no more linger) and waits until every record handed over before this call is acknowledged or failed.</summary>
    /// <param name="cancellationToken">Cancels the wait (not the records).</param>
    public Task FlushAsync(CancellationToken cancellationToken = default) =>
        _context.Flushes.WaitAsync(_context.BrokerProducers.FlushAll, cancellationToken);

    // Marks a record the caller gave no timestamp: it is stamped when handed over.
    private const long NoTimestamp = long.MinValue;

    private static long TimestampOf(in Message<TKey, TValue> message) =>
        message.Timestamp is { } timestamp ? timestamp.ToUnixTimeMilliseconds() : NoTimestamp;

    private ValueTask EnqueueCoreAsync(string topic, int partition, TKey? key, TValue? value, RecordHeader[]? headers, long timestamp, object? completion, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partition, -1);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _closing) != 0, this);
        _context.Transactions?.ThrowUnlessSending();

        var record = new PendingRecord { Topic = topic, Partition = partition, Headers = headers, Timestamp = timestamp, Completion = completion };
        Serialize(ref record, key, value);
        // Only while something listens: the send activity, with its trace context in (a copy of) the headers.
        if (ProducerTelemetry.Enabled) record.Completion = ProducerTelemetry.Begin(topic, partition, key, ref record.Headers, completion, _context.Time);
        int size = RecordBatchBuilder.EstimateRecordSize(record.Key.Length, record.Value.Length, record.Headers);
        if (size > _context.Options.MaxRecordSize || size > _context.Options.BufferMemory)
        {
            record.ReturnRented();
            ProducerTelemetry.Abandon(record.Completion);
            throw new ArgumentException(
                $"The record is {size} bytes, more than MaxRecordSize ({_context.Options.MaxRecordSize}) or BufferMemory ({_context.Options.BufferMemory}).", nameof(value));
        }
        record.Size = size;

        ValueTask budget = _context.Budget.AcquireAsync(size, cancellationToken);
        if (!budget.IsCompletedSuccessfully) return EnqueueAfterBudgetAsync(budget, record, cancellationToken);
        return Submit(record, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask EnqueueAfterBudgetAsync(ValueTask budget, PendingRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await budget.ConfigureAwait(false);
        }
        catch
        {
            record.ReturnRented();
            ProducerTelemetry.Abandon(record.Completion);
            throw;
        }
        await Submit(record, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask Submit(PendingRecord record, CancellationToken cancellationToken)
    {
        record.Generation = _context.Flushes.Enter();
        if (record.Timestamp == NoTimestamp) record.Timestamp = _context.Time.GetUtcNow().ToUnixTimeMilliseconds();
        record.Deadline = _context.Now + (long)_context.Options.DeliveryTimeout.TotalMilliseconds;
        ValueTask place = _dispatcher.Places.AcquireAsync(1, cancellationToken);
        if (place.IsCompletedSuccessfully && _dispatcher.Entry.TryAdd(record)) return ValueTask.CompletedTask;
        return SubmitSlowAsync(place, record);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SubmitSlowAsync(ValueTask place, PendingRecord record)
    {
        try
        {
            await place.ConfigureAwait(false);
        }
        catch
        {
            GiveBack(ref record);
            throw;
        }
        if (_dispatcher.Entry.TryAdd(record)) return;
        // The dispatcher stopped (a fault) or the producer is closing.
        _dispatcher.Places.Release(1);
        GiveBack(ref record);
        if (_dispatcher.Fault is { } fault) throw new InvalidOperationException($"The producer failed and takes no more records: {fault.Message}", fault);
        throw new ObjectDisposedException(GetType().Name, "The producer is closing.");
    }

    // A record that never entered the pipeline gives back what it took.
    private void GiveBack(ref PendingRecord record)
    {
        record.ReturnRented();
        ProducerTelemetry.Abandon(record.Completion);
        _context.Budget.Release(record.Size);
        _context.Flushes.Exit(record.Generation);
    }

    private void Serialize(ref PendingRecord record, TKey? key, TValue? value)
    {
        record.KeyIsNull = IsNull(key);
        record.ValueIsNull = IsNull(value);
        if (!record.KeyIsNull && _keySerializer is IZeroCopySerializer<TKey> zeroKey) record.Key = zeroKey.AsMemory(key!);
        if (!record.ValueIsNull && _valueSerializer is IZeroCopySerializer<TValue> zeroValue) record.Value = zeroValue.AsMemory(value!);
        bool keyNeedsCopy = !record.KeyIsNull && _keySerializer is not IZeroCopySerializer<TKey>;
        bool valueNeedsCopy = !record.ValueIsNull && _valueSerializer is not IZeroCopySerializer<TValue>;
        if (!keyNeedsCopy && !valueNeedsCopy) return;

        // Key and value go one after the other into this thread's slab, released once they are copied into a batch.
        SerializationArena.SlabWriter writer = _arena.Writer;
        int keyLength = 0;
        try
        {
            if (keyNeedsCopy)
            {
                _keySerializer.Serialize(key!, writer);
                keyLength = writer.Written;
            }
            if (valueNeedsCopy) _valueSerializer.Serialize(value!, writer);
        }
        catch
        {
            writer.Abandon();
            throw;
        }
        int length = writer.Written;
        record.Rented = writer.Commit(out byte[] bytes, out int offset);
        if (keyNeedsCopy) record.Key = bytes.AsMemory(offset, keyLength);
        if (valueNeedsCopy) record.Value = bytes.AsMemory(offset + keyLength, length - keyLength);
    }

    // "x is null" on a value-type T can box in unoptimized code; this folds to false for value types.
    private static bool IsNull<T>(T? value) => default(T) is null && value is null;

    /// <summary>
    /// Stops taking records, sends what is buffered and waits up to <see cref="ProducerOptions.CloseTimeout"/>
    /// for it; records still undelivered then fail with a <see cref="ProduceException"/>. A transaction still open is aborted first.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0) return;
        using (var deadline = new CancellationTokenSource(_context.Options.CloseTimeout, _context.Time))
        {
            try
            {
                await AbortOpenTransactionAsync(deadline.Token).ConfigureAwait(false);
                await FlushAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _context.Logger.LogWarning("Closing the producer with {Count} records undelivered after {Timeout}", PendingRecords, _context.Options.CloseTimeout);
            }
        }
        _dispatcher.Entry.Close();
        _context.Shutdown.Cancel();
        try
        {
            await _dispatcher.Completion.ConfigureAwait(false);
            await _context.BrokerProducers.WhenRetiredAsync().ConfigureAwait(false);
        }
        finally
        {
            // Connections are released even when a stage failed.
            _context.Transactions?.Dispose();
            await _cluster.DisposeAsync().ConfigureAwait(false);
            _context.Shutdown.Dispose();
        }
    }
}
