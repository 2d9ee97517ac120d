using System.Diagnostics;
using System.Globalization;
using KafkaNative.Producer.Pipeline;

namespace KafkaNative.Producer;

/// <summary>
/// The producer's side of the OpenTelemetry messaging conventions: a <c>send</c> activity per record (kind
/// Producer, ended when the delivery completes), its W3C trace context injected into the record's headers,
/// <c>messaging.client.sent.messages</c> and <c>messaging.client.operation.duration</c>. A record that never
/// reached the broker because the producer closed or the caller cancelled is no error and is not counted.
/// </summary>
internal static class ProducerTelemetry
{
    /// <summary>Whether a record needs a <see cref="TracedDelivery"/>: checked per record, allocation-free.</summary>
    public static bool Enabled => KafkaTelemetry.ActivitySource.HasListeners() || KafkaTelemetry.OperationDuration.Enabled;

    /// <summary>
    /// Starts the record's <c>send</c> activity and wraps its completion. The activity is not left current: the
    /// caller's code after the call is not part of the send. Its context goes into a copy of the headers
    /// (the caller's array is never changed), replacing any trace context they carried.
    /// </summary>
    public static TracedDelivery Begin(string topic, int partition, object? key, ref RecordHeader[]? headers, object? completion, TimeProvider time)
    {
        Activity? previous = Activity.Current;
        Activity? activity = KafkaTelemetry.ActivitySource.StartActivity("send " + topic, ActivityKind.Producer);
        Activity.Current = previous;
        if (activity is not null)
        {
            activity.SetTag("messaging.system", "kafka");
            activity.SetTag("messaging.operation.name", "send");
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.destination.name", topic);
            if (partition >= 0) activity.SetTag("messaging.destination.partition.id", partition.ToString(CultureInfo.InvariantCulture));
            if (key is string text) activity.SetTag("messaging.kafka.message.key", text);
            if (activity.IdFormat == ActivityIdFormat.W3C) headers = WithTraceContext(headers, activity);
        }
        return new TracedDelivery(activity, time.GetTimestamp(), completion);
    }

    /// <summary>Ends a record's telemetry once its delivery completed; returns the caller's completion.</summary>
    public static object? End(TracedDelivery traced, in DeliveryResult result, KafkaException? error, TimeProvider time)
    {
        bool closed = IsClosed(error);
        if (traced.Activity is { } activity)
        {
            if (result.Partition >= 0) activity.SetTag("messaging.destination.partition.id", result.Partition.ToString(CultureInfo.InvariantCulture));
            if (error is null && result.Offset >= 0) activity.SetTag("messaging.kafka.offset", result.Offset);
            if (error is not null && !closed)
            {
                activity.SetTag("error.type", ErrorType(error));
                activity.SetStatus(ActivityStatusCode.Error, error.Message);
            }
            KafkaTelemetry.Stop(activity);
        }
        if (!closed && KafkaTelemetry.OperationDuration.Enabled)
        {
            var tags = new TagList
            {
                { "messaging.system", "kafka" },
                { "messaging.operation.name", "send" },
                { "messaging.destination.name", result.Topic },
            };
            if (result.Partition >= 0) tags.Add("messaging.destination.partition.id", result.Partition.ToString(CultureInfo.InvariantCulture));
            if (error is not null) tags.Add("error.type", ErrorType(error));
            KafkaTelemetry.OperationDuration.Record(time.GetElapsedTime(traced.Started).TotalSeconds, tags);
        }
        return traced.Inner;
    }

    /// <summary>Counts a record whose send was attempted (three tags or fewer: no allocation).</summary>
    public static void CountSent(in DeliveryResult result, KafkaException? error)
    {
        if (IsClosed(error)) return;
        var system = new KeyValuePair<string, object?>("messaging.system", "kafka");
        var destination = new KeyValuePair<string, object?>("messaging.destination.name", result.Topic);
        var operation = new KeyValuePair<string, object?>("messaging.operation.name", "send");
        if (error is null) KafkaTelemetry.SentMessages.Add(1, system, destination, operation);
        else KafkaTelemetry.SentMessages.Add(1, system, destination, operation, new KeyValuePair<string, object?>("error.type", ErrorType(error)));
    }

    /// <summary>A record that never got a result: the caller cancelled, or the producer is closing. Ends its activity without an error.</summary>
    public static void Abandon(object? completion)
    {
        if (completion is TracedDelivery { Activity: { } activity }) KafkaTelemetry.Stop(activity);
    }

    // A record failed because the producer was closed (Pipeline.Closed): shutdown, not an error.
    private static bool IsClosed(KafkaException? error) => error?.InnerException is ObjectDisposedException;

    private static string ErrorType(KafkaException error) =>
        error is KafkaErrorException coded ? coded.ErrorCode.ToString() : error.GetType().FullName ?? error.GetType().Name;

    private static RecordHeader[] WithTraceContext(RecordHeader[]? headers, Activity activity)
    {
        var copy = new List<RecordHeader>((headers?.Length ?? 0) + 2);
        if (headers is not null)
        {
            foreach (RecordHeader header in headers)
            {
                if (header.Key is not (KafkaTelemetry.TraceParentHeader or KafkaTelemetry.TraceStateHeader)) copy.Add(header);
            }
        }
        copy.Add(new RecordHeader(KafkaTelemetry.TraceParentHeader, System.Text.Encoding.UTF8.GetBytes(activity.Id!)));
        if (activity.TraceStateString is { Length: > 0 } state) copy.Add(new RecordHeader(KafkaTelemetry.TraceStateHeader, System.Text.Encoding.UTF8.GetBytes(state)));
        return [.. copy];
    }
}
