using KafkaNative.Client;
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
        Idempotence = options.EnableIdempotence ? new IdempotenceManager(this) : null;
        BrokerProducers = new BrokerProducerPool(this);
    }

    public ProducerOptions Options { get; }
    public KafkaCluster Cluster { get; }
    public ILogger Logger { get; }
    public MemoryBudget Budget { get; }
    public FlushTracker Flushes { get; } = new();
    public BuilderPool Builders { get; }
    public IdempotenceManager? Idempotence { get; }
    public BrokerProducerPool BrokerProducers { get; }

    /// <summary>Stops every stage when the producer is disposed.</summary>
    public CancellationTokenSource Shutdown { get; } = new();

    /// <summary>Runs a user's delivery callback; its exceptions are logged, never allowed to break the pipeline.</summary>
    public void InvokeCallback(Action<DeliveryReport> callback, DeliveryReport report)
    {
        try
        {
            callback(report);
        }
        catch (Exception e)
        {
            Logger.LogError(e, "A delivery callback threw; the producer carries on.");
        }
    }

    /// <summary>Exponential backoff with full jitter: never hammer a broker that just failed.</summary>
    public TimeSpan Backoff(int attempt)
    {
        double ceiling = Math.Min(Options.RetryBackoffMax.TotalMilliseconds, Options.RetryBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 16)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }
}
