using System.Collections.Concurrent;
using System.Diagnostics;
using KafkaNative.Extensions.Hosting.Registration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KafkaNative.Extensions.Hosting;

/// <summary>
/// The hosted consumer: subscribes, reads a partition's run of records at a time as raw bytes (so a
/// record that fails goes to the dead-letter topic exactly as it came), hands records or batches to the
/// handler through a <see cref="LaneScheduler"/>, and stores each partition's offset only up to the
/// records that are done (<see cref="PartitionProgress"/>); the consumer's commits (automatic, on
/// revocation, at the end) commit what is stored. Subclasses decide what one unit of work is.
/// </summary>
/// <remarks>
/// Stopping: the consume loop ends at once; handlers in flight get <see cref="KafkaHandlerOptions.ShutdownTimeout"/>
/// to finish (their token is cancelled after it, and what did not finish stays uncommitted); then the stored
/// offsets are committed and the consumer leaves the group.
/// </remarks>
internal abstract class HostedKafkaConsumer<TKey, TValue> : BackgroundService
{
    private readonly ConcurrentDictionary<TopicPartition, PartitionProgress> _progress = new();
    private readonly CancellationTokenSource _hardStop = new();
    private readonly HostedConsumerStatus _status;
    private readonly IDeserializer<TKey> _keys;
    private readonly IDeserializer<TValue> _values;
    private DeadLetterSender? _deadLetters;
    private KafkaConsumer<byte[]?, byte[]?>? _consumer;

    protected HostedKafkaConsumer(string name, IServiceProvider services)
    {
        Name = name;
        Scopes = services.GetRequiredService<IServiceScopeFactory>();
        ConsumerOptions = services.GetRequiredService<IOptionsMonitor<ConsumerOptions>>().Get(name);
        Options = services.GetRequiredService<IOptionsMonitor<KafkaHandlerOptions>>().Get(name);
        Time = ConsumerOptions.TimeProvider;
        Logger = ConsumerOptions.LoggerFactory.CreateLogger("KafkaNative.Extensions.Hosting.HostedConsumer");
        _status = services.GetRequiredKeyedService<HostedConsumerStatus>(name);
        _keys = ServiceLookup.Find<IDeserializer<TKey>>(services, name) ?? Deserializers.DefaultFor<TKey>()
            ?? throw new InvalidOperationException($"There is no built-in deserializer for {typeof(TKey)}; register an IDeserializer<{typeof(TKey).Name}>.");
        _values = ServiceLookup.Find<IDeserializer<TValue>>(services, name) ?? Deserializers.DefaultFor<TValue>()
            ?? throw new InvalidOperationException($"There is no built-in deserializer for {typeof(TValue)}; register an IDeserializer<{typeof(TValue).Name}>.");
    }

    protected string Name { get; }

    protected IServiceScopeFactory Scopes { get; }

    protected ConsumerOptions ConsumerOptions { get; }

    protected KafkaHandlerOptions Options { get; }

    protected TimeProvider Time { get; }

    protected ILogger Logger { get; }

    protected string? Group => ConsumerOptions.GroupId;

    /// <summary>Cancelled once stopping has taken longer than the shutdown timeout: what handlers get as their token.</summary>
    protected CancellationToken HardStop => _hardStop.Token;

    protected LaneScheduler Scheduler { get; private set; } = null!;

    /// <summary>Hands the records of <paramref name="batch"/> to the scheduler (waiting for room); it is valid only during this call.</summary>
    protected abstract ValueTask DispatchAsync(ConsumeBatch<byte[]?, byte[]?> batch, CancellationToken stopping);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Exception? fault = null;
        await using var consumer = new KafkaConsumer<byte[]?, byte[]?>(ConsumerOptions);
        await using var producer = new KafkaProducer<byte[], byte[]>(DeadLetterProducer.OptionsFrom(ConsumerOptions));
        // Records waiting for their key's turn are bounded too: a few per slot, at least a chunk's worth.
        using var scheduler = new LaneScheduler(Options.MaxConcurrency, Math.Max(256, Options.MaxConcurrency * 16));
        Scheduler = scheduler;
        _consumer = consumer;
        _deadLetters = new DeadLetterSender(producer, Options, Group, Time, Logger);
        consumer.PartitionsRevoked = (partitions, cancellationToken) => new ValueTask(DrainAsync(partitions, cancellationToken));
        consumer.PartitionsLost = (partitions, _) => Retire(partitions);
        try
        {
            consumer.Subscribe(Options.Topics);
            _status.Started(consumer);
            await ConsumeUntilStoppedAsync(consumer, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping: not an error.
        }
        catch (Exception error)
        {
            fault = error;
            Logger.LogCritical(error, "Hosted consumer {Name} failed and stops", Name);
            throw;
        }
        finally
        {
            await FinishAsync(consumer).ConfigureAwait(false);
            _status.Stopped(fault);
        }
    }

    private async Task ConsumeUntilStoppedAsync(KafkaConsumer<byte[]?, byte[]?> consumer, CancellationToken stopping)
    {
        KafkaException? last = null;
        for (int failures = 0; ; failures++)
        {
            try
            {
                await foreach (ConsumeBatch<byte[]?, byte[]?> batch in consumer.ConsumeBatchesAsync(stopping).ConfigureAwait(false))
                {
                    failures = 0;
                    _status.Received();
                    await DispatchAsync(batch, stopping).ConfigureAwait(false);
                }
            }
            catch (KafkaException error) when (!ReferenceEquals(error, last))
            {
                // The consume loop reports such errors once and carries on when asked again (cluster unreachable,
                // max poll interval exceeded, a corrupt record): record it for the health check and go on after a pause.
                // The same error again is one it keeps throwing (the member was fenced): that one stops the service.
                last = error;
                _status.Failed(error);
                Logger.LogWarning(error, "Hosted consumer {Name}: {Message}; consuming again", Name, error.Message);
                await Task.Delay(RetryDelay.For(failures, Options.RetryBackoff, Options.RetryBackoffMax), Time, stopping).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Lets handlers in flight finish within the shutdown timeout, then commits what is stored.</summary>
    private async Task FinishAsync(KafkaConsumer<byte[]?, byte[]?> consumer)
    {
        using ITimer deadline = Time.CreateTimer(static state => ((CancellationTokenSource)state!).Cancel(), _hardStop, Options.ShutdownTimeout, Timeout.InfiniteTimeSpan);
        Scheduler.StopStarting();
        await Scheduler.WhenIdleAsync().ConfigureAwait(false);
        if (Group is null) return;
        try
        {
            using var timeout = new CancellationTokenSource(ConsumerOptions.RequestTimeout, Time);
            await consumer.CommitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception error) when (error is KafkaException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            Logger.LogWarning(error, "Hosted consumer {Name}: the final commit failed; the group's next member starts at the last committed offsets", Name);
        }
    }

    /// <summary>The progress of a record's partition, created when its first record is handed over.</summary>
    protected PartitionProgress ProgressOf(TopicPartition partition) =>
        _progress.GetOrAdd(partition, p => new PartitionProgress(offset => Store(p, offset)));

    private void Store(TopicPartition partition, long offset)
    {
        try
        {
            _consumer?.StoreOffset(new TopicPartitionOffset(partition, offset));
        }
        catch (InvalidOperationException)
        {
            // The partition went away meanwhile: its next owner starts at the last commit.
        }
    }

    /// <summary>Revoked partitions: wait for their records in flight, whose offsets the commit after this callback then includes.</summary>
    private async Task DrainAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        foreach (TopicPartition partition in partitions)
        {
            if (!_progress.TryGetValue(partition, out PartitionProgress? progress)) continue;
            await progress.WhenDrainedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            _progress.TryRemove(partition, out _);
            progress.Retire();
        }
    }

    private ValueTask Retire(IReadOnlyList<TopicPartition> partitions)
    {
        foreach (TopicPartition partition in partitions)
        {
            if (_progress.TryRemove(partition, out PartitionProgress? progress)) progress.Retire();
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Deserializes a raw record for the handler; throws what the deserializer throws.</summary>
    protected ConsumeResult<TKey, TValue> Deserialize(ConsumeResult<byte[]?, byte[]?> raw)
    {
        TKey key = _keys.Deserialize(raw.Key, raw.Key is null, new DeserializationContext(raw.Topic, raw.Partition, IsKey: true));
        TValue value = _values.Deserialize(raw.Value, raw.Value is null, new DeserializationContext(raw.Topic, raw.Partition, IsKey: false));
        return new ConsumeResult<TKey, TValue>(raw.Topic, raw.Partition, raw.Offset, raw.Timestamp, key, value, raw.Headers);
    }

    /// <summary>
    /// Runs <paramref name="attempt"/>, retrying it with backoff up to <see cref="KafkaHandlerOptions.MaxRetries"/> times.
    /// Returns null on success, else the last error and the number of retries made. Throws when the shutdown deadline cuts it short.
    /// </summary>
    protected async Task<(Exception? Error, int Retries)> RunWithRetriesAsync(Func<CancellationToken, Task> attempt, Activity? activity)
    {
        for (int retry = 0; ; retry++)
        {
            try
            {
                await attempt(HardStop).ConfigureAwait(false);
                return (null, retry);
            }
            catch (Exception error) when (!HardStop.IsCancellationRequested)
            {
                if (retry >= Options.MaxRetries) return (error, retry);
                activity?.AddException(error);
                TimeSpan delay = RetryDelay.For(retry, Options.RetryBackoff, Options.RetryBackoffMax);
                Logger.LogDebug(error, "Hosted consumer {Name}: attempt {Attempt} failed; retrying in {Delay}", Name, retry + 1, delay);
                await Task.Delay(delay, Time, HardStop).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs <paramref name="handle"/> with a handler resolved in a scope of its own, disposed after it.</summary>
    protected async Task InScopeAsync<THandler>(Func<THandler, Task> handle)
        where THandler : notnull
    {
        AsyncServiceScope scope = Scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await handle(scope.ServiceProvider.GetRequiredService<THandler>()).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a record that could not be handled to the dead-letter topic (or only logs it when that is turned off).</summary>
    protected Task DeadLetterAsync(ConsumeResult<byte[]?, byte[]?> raw, Exception error, int retries)
    {
        if (Options.DeadLetterEnabled) return _deadLetters!.SendAsync(raw, error, retries, HardStop);
        Logger.LogError(error, "Hosted consumer {Name}: record {Topic}-{Partition}@{Offset} failed after {Retries} retries; skipped",
            Name, raw.Topic, raw.Partition, raw.Offset, retries);
        return Task.CompletedTask;
    }

    public override void Dispose()
    {
        _hardStop.Dispose();
        base.Dispose();
    }
}
