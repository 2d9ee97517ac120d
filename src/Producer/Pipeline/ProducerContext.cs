using KafkaNative.Client;
using KafkaNative.Producer.Transactions;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Producer.Pipeline;

/// <summary>What every stage of one producer shares.</summary>
internal sealed class ProducerContext
{
    public ProducerContext(ProducerOptions options, KafkaCluster cluster, ILogger logger)
    {
        Options = options;
        Cluster = cluster;
        Logger = logger;
        Budget = new MemoryBudget(options.BufferMemory);
        Builders = new BuilderPool(options.Compression, options.CompressionLevel, Math.Min(options.BatchSize, 64 * 1024) + 1024);
        Transactions = options.TransactionalId is { } transactionalId ? new TransactionManager(this, transactionalId) : null;
        Idempotence = options.EnableIdempotence && Transactions is null ? new IdempotenceManager(this) : null;
        BrokerProducers = new BrokerProducerPool(this);
        Breakers = new BrokerBreakers(options);
        Backoff = new RetryBackoff(options.RetryBackoff, options.RetryBackoffMax, options.Random);
    }

    public ProducerOptions Options { get; }
    public KafkaCluster Cluster { get; }
    public ILogger Logger { get; }
    public MemoryBudget Budget { get; }
    public FlushTracker Flushes { get; } = new();
    public BuilderPool Builders { get; }
    /// <summary>The producer identity of an idempotent, non-transactional producer.</summary>
    public IdempotenceManager? Idempotence { get; }

    /// <summary>The transaction state of a producer with a <see cref="ProducerOptions.TransactionalId"/>; it owns the identity then.</summary>
    public TransactionManager? Transactions { get; }
    public BrokerProducerPool BrokerProducers { get; }
    public BrokerBreakers Breakers { get; }

    /// <summary>Spaces retries of a failed batch, route, producer id or metadata lookup: never hammer a broker that just failed.</summary>
    public RetryBackoff Backoff { get; }

    /// <summary>The producer's clock (<see cref="KafkaClientOptions.TimeProvider"/>).</summary>
    public TimeProvider Time => Options.TimeProvider;

    /// <summary>Milliseconds on <see cref="Time"/>'s monotonic clock; what record deadlines and linger are measured in.</summary>
    public long Now => Time.GetTickCount64();

    /// <summary>Stops every stage when the producer is disposed.</summary>
    public CancellationTokenSource Shutdown { get; } = new();

    /// <summary>
    /// Tells a record's caller how it ended: completes its <see cref="DeliveryPromise"/>, or runs its
    /// delivery callback, whose exceptions are logged, never allowed to break the pipeline.
    /// </summary>
    public void Report(object? completion, in DeliveryResult result, KafkaNative.KafkaException? error)
    {
        if (KafkaTelemetry.SentMessages.Enabled) ProducerTelemetry.CountSent(result, error);
        if (error is not null) Transactions?.OnRecordFailed(error);
        if (completion is TracedDelivery traced) completion = ProducerTelemetry.End(traced, result, error, Time);
        switch (completion)
        {
            case DeliveryPromise promise:
                if (error is null) promise.Succeed(result);
                else promise.Fail(error);
                break;
            case Action<DeliveryReport> callback:
                try
                {
                    callback(new DeliveryReport(result, error));
                }
                catch (Exception e)
                {
                    Logger.LogError(e, "A delivery callback threw; the producer carries on.");
                }
                break;
        }
    }
}
