using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace KafkaNative.Extensions.Hosting;

/// <summary>
/// The hosted consumer's side of the OpenTelemetry messaging conventions: a <c>process</c> activity around
/// each handler call and the <c>messaging.process.duration</c> histogram, on the library's
/// <see cref="KafkaTelemetry.ActivitySource"/> and <see cref="KafkaTelemetry.Meter"/>.
/// </summary>
/// <remarks>
/// A record's activity has the producer's <c>send</c> span (from the record's <c>traceparent</c> header) as
/// its parent, so one trace runs from producer to handler, as the conventions allow for single-message
/// processing. A batch's activity has no parent and one link per record, as they recommend for batches.
/// </remarks>
internal static class ProcessTelemetry
{
    private static readonly Histogram<double> ProcessDuration = KafkaTelemetry.Meter.CreateHistogram<double>(
        "messaging.process.duration", "s", "Duration of processing operation (the hosted consumer's handler, retries included).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });

    public static Activity? StartRecord(ConsumeResult<byte[]?, byte[]?> record, string? group, bool keyIsString)
    {
        if (!KafkaTelemetry.ActivitySource.HasListeners()) return null;
        KafkaTelemetry.TryExtractTraceContext(record.Headers, out ActivityContext parent);
        Activity? activity = KafkaTelemetry.ActivitySource.StartActivity(ActivityKind.Consumer, parent, name: "process " + record.Topic);
        if (activity is null) return null;
        Tag(activity, record.Topic, record.Partition, group);
        activity.SetTag("messaging.kafka.offset", record.Offset);
        if (keyIsString && record.Key is { } key) activity.SetTag("messaging.kafka.message.key", Encoding.UTF8.GetString(key));
        if (record.Value is { } value) activity.SetTag("messaging.message.body.size", value.Length);
        return activity;
    }

    public static Activity? StartBatch(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> records, string? group)
    {
        if (!KafkaTelemetry.ActivitySource.HasListeners()) return null;
        var links = new List<ActivityLink>(records.Count);
        foreach (ConsumeResult<byte[]?, byte[]?> record in records)
        {
            if (KafkaTelemetry.TryExtractTraceContext(record.Headers, out ActivityContext context)) links.Add(new ActivityLink(context));
        }
        ConsumeResult<byte[]?, byte[]?> first = records[0];
        Activity? activity = KafkaTelemetry.ActivitySource.StartActivity(ActivityKind.Consumer, default(ActivityContext), links: links, name: "process " + first.Topic);
        if (activity is null) return null;
        Tag(activity, first.Topic, first.Partition, group);
        activity.SetTag("messaging.batch.message_count", records.Count);
        return activity;
    }

    /// <summary>Ends the activity and records the duration; <paramref name="error"/> is null for success (a shutdown is not an error).</summary>
    public static void Stop(Activity? activity, long started, TimeProvider time, string topic, int partition, string? group, Exception? error)
    {
        if (error is not null && activity is not null)
        {
            activity.SetTag("error.type", error.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
        }
        activity?.Dispose();
        if (!ProcessDuration.Enabled) return;
        var tags = new TagList
        {
            { "messaging.system", "kafka" },
            { "messaging.operation.name", "process" },
            { "messaging.destination.name", topic },
            { "messaging.destination.partition.id", partition.ToString(CultureInfo.InvariantCulture) },
        };
        if (group is not null) tags.Add("messaging.consumer.group.name", group);
        if (error is not null) tags.Add("error.type", error.GetType().FullName);
        ProcessDuration.Record(time.GetElapsedTime(started).TotalSeconds, tags);
    }

    private static void Tag(Activity activity, string topic, int partition, string? group)
    {
        activity.SetTag("messaging.system", "kafka");
        activity.SetTag("messaging.operation.name", "process");
        activity.SetTag("messaging.operation.type", "process");
        activity.SetTag("messaging.destination.name", topic);
        activity.SetTag("messaging.destination.partition.id", partition.ToString(CultureInfo.InvariantCulture));
        if (group is not null) activity.SetTag("messaging.consumer.group.name", group);
    }
}
