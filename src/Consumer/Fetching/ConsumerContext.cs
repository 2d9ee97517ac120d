using System.Threading.Channels;
using KafkaNative.Client;
using KafkaNative.Protocol;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Consumer.Fetching;

/// <summary>What the fetching machinery of one consumer shares: cluster, options, broker consumers, and the "data ready" signal.</summary>
internal sealed class ConsumerContext
{
    private readonly Channel<bool> _dataReady = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private readonly Action<Exception> _reportError;

    public ConsumerContext(KafkaCluster cluster, ConsumerOptions options, Action<Exception> reportError)
    {
        _reportError = reportError;
        Cluster = cluster;
        Options = options;
        LoggerFactory = options.LoggerFactory;
        Backoff = new RetryBackoff(options.RetryBackoff, options.RetryBackoffMax, options.Random);
        Registry = new BrokerConsumerRegistry(this);
    }

    public KafkaCluster Cluster { get; }

    public ConsumerOptions Options { get; }

    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The consumer's clock (<see cref="KafkaClientOptions.TimeProvider"/>).</summary>
    public TimeProvider Time => Options.TimeProvider;

    /// <summary>Spaces a partition's fetch attempts after errors.</summary>
    public RetryBackoff Backoff { get; }

    public BrokerConsumerRegistry Registry { get; }

    /// <summary>Looks up a partition's committed offset (-1 for none) and its leader epoch (-1 when unknown); null without a group.</summary>
    public Func<TopicPartition, CancellationToken, Task<(long Offset, int LeaderEpoch)>>? CommittedLookup { get; set; }

    /// <summary>Hands the application an error that concerns no single partition (no broker reachable, a failed loop); the next read throws it.</summary>
    public void ReportError(Exception error) => _reportError(error);

    /// <summary>Reports <paramref name="error"/> when no broker of the cluster has answered yet, so a bad bootstrap address is not a silent wait.</summary>
    public void ReportIfUnreachable(Exception error)
    {
        if (Cluster.Metadata is null && error is KafkaException) ReportError(error);
    }

    /// <summary>Tells a waiting merged reader that some partition has messages (or an error, or the assignment changed).</summary>
    public void SignalDataReady() => _dataReady.Writer.TryWrite(true);

    /// <summary>Waits for <see cref="SignalDataReady"/>.</summary>
    public ValueTask<bool> WaitDataReadyAsync(CancellationToken cancellationToken) => _dataReady.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Consumes a pending signal, before scanning the partitions.</summary>
    public void ResetDataReady() => _dataReady.Reader.TryRead(out _);
}
