using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace KafkaNative.Consumer;

/// <summary>
/// The consumer's side of the OpenTelemetry messaging conventions: a <c>process</c> activity per record handed
/// to the application, a <c>receive</c> activity per batch of <see cref="KafkaConsumer{TKey, TValue}.ConsumeBatchesAsync"/>,
/// <c>messaging.client.consumed.messages</c>, <c>messaging.client.operation.duration</c> of each batch's receive, and the lag of every assigned partition (<c>messaging.kafka.consumer.lag</c>).
/// </summary>
/// <remarks>
/// A record's <c>process</c> activity has the producer's <c>send</c> span (the record's <c>traceparent</c>) as its
/// parent, so a single record's trace runs from producer to consumer, as the conventions allow for single-message
/// processing; a batch's <c>receive</c> activity links to each record's producer instead, as they recommend for batches.
/// </remarks>
internal static class ConsumerTelemetry
{
    private static readonly ConcurrentDictionary<ILagSource, byte> LagSources = new();

    // Observed on collection only: no cost while nothing reads it.
    internal static readonly ObservableGauge<long> Lag = KafkaTelemetry.Meter.CreateObservableGauge(
        "messaging.kafka.consumer.lag", ObserveLag, "{message}", "Messages between a partition's consumed position and its high watermark (read_committed: its last stable offset), per assigned partition.");

    public static void Register(ILagSource source) => LagSources.TryAdd(source, 0);

    public static void Unregister(ILagSource source) => LagSources.TryRemove(source, out _);

    /// <summary>When a receive began, for its activity and duration; default when nothing listens.</summary>
    public static DateTimeOffset ReceiveStarted(TimeProvider time) =>
        KafkaTelemetry.ActivitySource.HasListeners() || KafkaTelemetry.OperationDuration.Enabled ? time.GetUtcNow() : default;

    /// <summary>Starts the <c>process</c> activity of a record (current in the calling flow), or returns null while nothing listens.</summary>
    public static Activity? StartProcess<TKey, TValue>(ConsumeResult<TKey, TValue> record, string? group)
    {
        if (!KafkaTelemetry.ActivitySource.HasListeners()) return null;
        KafkaTelemetry.TryExtractTraceContext(record.Headers, out ActivityContext parent);
        Activity? activity = parent == default
            ? KafkaTelemetry.ActivitySource.StartActivity("process " + record.Topic, ActivityKind.Consumer)
            : KafkaTelemetry.ActivitySource.StartActivity("process " + record.Topic, ActivityKind.Consumer, parent);
        if (activity is null) return null;
        Tag(activity, "process", record.Topic, record.Partition, group);
        activity.SetTag("messaging.kafka.offset", record.Offset);
        if (record.Key is string key) activity.SetTag("messaging.kafka.message.key", key);
        return activity;
    }

    /// <summary>Ends a <c>process</c> activity; an error that is the application stopping is not an error.</summary>
    public static void StopProcess(Activity? activity, Exception? error)
    {
        if (activity is null) return;
        if (error is not null and not OperationCanceledException)
        {
            activity.SetTag("error.type", error.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
        }
        KafkaTelemetry.Stop(activity);
    }

    /// <summary>Records a batch handed to the application: the consumed count and, while something listens, its <c>receive</c> activity.</summary>
    public static void Received<TKey, TValue>(in ConsumeBatch<TKey, TValue> batch, string? group, DateTimeOffset started, TimeProvider time)
    {
        CountConsumed(batch.TopicPartition, group, batch.Count);
        if (started == default) return;
        if (KafkaTelemetry.OperationDuration.Enabled) RecordReceiveDuration(batch.TopicPartition, group, time.GetUtcNow() - started);
        if (!KafkaTelemetry.ActivitySource.HasListeners()) return;
        var links = new List<ActivityLink>(batch.Count);
        foreach (ConsumeResult<TKey, TValue> record in batch)
        {
            if (KafkaTelemetry.TryExtractTraceContext(record.Headers, out ActivityContext context)) links.Add(new ActivityLink(context));
        }
        Activity? activity = KafkaTelemetry.ActivitySource.StartActivity(
            ActivityKind.Consumer, default(ActivityContext), links: links, startTime: started, name: "receive " + batch.TopicPartition.Topic);
        if (activity is null) return;
        Tag(activity, "receive", batch.TopicPartition.Topic, batch.TopicPartition.Partition, group);
        activity.SetTag("messaging.batch.message_count", batch.Count);
        activity.Stop();
    }

    /// <summary>Counts records handed to the application (a tag list, no allocation; nothing while nobody listens).</summary>
    public static void CountConsumed(TopicPartition partition, string? group, int count)
    {
        if (KafkaTelemetry.ConsumedMessages.Enabled) KafkaTelemetry.ConsumedMessages.Add(count, ReceiveTags(partition, group));
    }

    private static void RecordReceiveDuration(TopicPartition partition, string? group, TimeSpan duration) =>
        KafkaTelemetry.OperationDuration.Record(duration.TotalSeconds, ReceiveTags(partition, group));

    private static TagList ReceiveTags(TopicPartition partition, string? group)
    {
        var tags = new TagList
        {
            { "messaging.system", "kafka" },
            { "messaging.operation.name", "receive" },
            { "messaging.destination.name", partition.Topic },
            { "messaging.destination.partition.id", KafkaTelemetry.PartitionId(partition.Partition) },
        };
        if (group is not null) tags.Add("messaging.consumer.group.name", group);
        return tags;
    }

    /// <summary>A lag measurement of one partition.</summary>
    public static Measurement<long> LagOf(TopicPartition partition, string? group, long lag)
    {
        var tags = new TagList
        {
            { "messaging.system", "kafka" },
            { "messaging.destination.name", partition.Topic },
            { "messaging.destination.partition.id", KafkaTelemetry.PartitionId(partition.Partition) },
        };
        if (group is not null) tags.Add("messaging.consumer.group.name", group);
        return new Measurement<long>(lag, tags);
    }

    private static IEnumerable<Measurement<long>> ObserveLag() => LagSources.Keys.SelectMany(source => source.ObserveLag());

    private static void Tag(Activity activity, string operation, string topic, int partition, string? group)
    {
        activity.SetTag("messaging.system", "kafka");
        activity.SetTag("messaging.operation.name", operation);
        activity.SetTag("messaging.operation.type", operation);
        activity.SetTag("messaging.destination.name", topic);
        activity.SetTag("messaging.destination.partition.id", KafkaTelemetry.PartitionId(partition));
        if (group is not null) activity.SetTag("messaging.consumer.group.name", group);
    }
}

/// <summary>A consumer whose partitions' lag the <c>messaging.kafka.consumer.lag</c> gauge reports.</summary>
internal interface ILagSource
{
    IEnumerable<Measurement<long>> ObserveLag();
}
