using System.Diagnostics;
using System.Diagnostics.Metrics;
using KafkaNative.Protocol;

namespace KafkaNative;

/// <summary>
/// The <see cref="Meter"/> and <see cref="ActivitySource"/> named <c>"KafkaNative"</c>, following the
/// OpenTelemetry messaging conventions for Kafka (<c>send</c>, <c>receive</c> and <c>process</c> activities;
/// <c>messaging.client.*</c> metrics), and the detail source <c>"KafkaNative.Protocol"</c> with one activity
/// per broker request. Subscribe with OpenTelemetry (the KafkaNative.OpenTelemetry package's
/// <c>AddKafkaNativeInstrumentation()</c>, or <c>AddSource</c>/<c>AddMeter</c>) or a
/// <see cref="MeterListener"/>/<see cref="ActivityListener"/>. Nothing is recorded, and nothing allocated,
/// while nothing listens.
/// </summary>
public static class KafkaTelemetry
{
    /// <summary>The name of the meter and of the messaging activity source.</summary>
    public const string Name = "KafkaNative";

    /// <summary>The name of the activity source with one activity per broker request: debugging detail, off unless subscribed to.</summary>
    public const string ProtocolName = "KafkaNative.Protocol";

    /// <summary>Metrics: messaging (records sent and consumed, operation durations, consumer lag), and connections, requests, bytes, latency and errors.</summary>
    public static readonly Meter Meter = new(Name);

    /// <summary>Traces: a <c>send</c> activity per produced record, a <c>process</c> activity per record handed to the application, a <c>receive</c> activity per batch.</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    /// <summary>Traces: one activity per broker request (Metadata, Produce, Fetch, ...), for debugging the protocol.</summary>
    public static readonly ActivitySource ProtocolActivitySource = new(ProtocolName);

    /// <summary>The W3C trace-context header carrying the producer's span (<c>traceparent</c>), written into a record's headers when its <c>send</c> activity is recorded.</summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>The W3C trace-state header (<c>tracestate</c>), written beside <see cref="TraceParentHeader"/> when the span has state.</summary>
    public const string TraceStateHeader = "tracestate";

    /// <summary>
    /// Reads the producer's trace context from a record's <c>traceparent</c> and <c>tracestate</c> headers
    /// (the last of each wins), to parent or link a consumer's activity to the producer's <c>send</c> span.
    /// </summary>
    /// <param name="headers">The record's headers.</param>
    /// <param name="context">The remote context, or default when there is none or it does not parse.</param>
    /// <returns>True when the record carried a valid trace context.</returns>
    public static bool TryExtractTraceContext(IReadOnlyList<RecordHeader> headers, out ActivityContext context)
    {
        ArgumentNullException.ThrowIfNull(headers);
        string? parent = null, state = null;
        for (int i = 0; i < headers.Count; i++)
        {
            RecordHeader header = headers[i];
            if (header.Value is not { } value) continue;
            if (header.Key == TraceParentHeader) parent = System.Text.Encoding.UTF8.GetString(value.Span);
            else if (header.Key == TraceStateHeader) state = System.Text.Encoding.UTF8.GetString(value.Span);
        }
        context = default;
        return parent is not null && ActivityContext.TryParse(parent, state, isRemote: true, out context);
    }

    // Bucket boundaries the messaging conventions give for operation and processing durations, in seconds.
    internal static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    internal static readonly Counter<long> SentMessages =
        Meter.CreateCounter<long>("messaging.client.sent.messages", "{message}", "Number of messages producer attempted to send to the broker.");

    internal static readonly Histogram<double> OperationDuration =
        Meter.CreateHistogram<double>("messaging.client.operation.duration", "s", "Duration of messaging operation initiated by a producer or consumer client.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    internal static readonly Counter<long> ConsumedMessages =
        Meter.CreateCounter<long>("messaging.client.consumed.messages", "{message}", "Number of messages that were delivered to the application.");

    internal static readonly UpDownCounter<long> OpenConnections =
        Meter.CreateUpDownCounter<long>("kafka.client.connections", "{connection}", "Open broker connections.");

    internal static readonly Counter<long> ConnectionAttempts =
        Meter.CreateCounter<long>("kafka.client.connection.attempts", "{attempt}", "Connection attempts, tagged with the outcome.");

    internal static readonly Counter<long> Requests =
        Meter.CreateCounter<long>("kafka.client.requests", "{request}", "Requests sent, tagged with the API.");

    internal static readonly Counter<long> BytesSent =
        Meter.CreateCounter<long>("kafka.client.bytes_sent", "By", "Bytes written to broker connections.");

    internal static readonly Counter<long> BytesReceived =
        Meter.CreateCounter<long>("kafka.client.bytes_received", "By", "Bytes read from broker connections.");

    internal static readonly Histogram<double> RequestDuration =
        Meter.CreateHistogram<double>("kafka.client.request.duration", "s", "Time from queuing a request to its response, tagged with the API.");

    internal static readonly Counter<long> Errors =
        Meter.CreateCounter<long>("kafka.client.errors", "{error}", "Failed requests and connections, tagged with the error type.");

    internal static readonly Counter<long> ProducerRetries =
        Meter.CreateCounter<long>("kafka.producer.retries", "{retry}", "Times a partition's records backed off to be sent again after a failure.");

    internal static readonly Counter<long> BreakerOpenings =
        Meter.CreateCounter<long>("kafka.producer.breaker.openings", "{opening}", "Times a broker's circuit breaker opened.");

    /// <summary>Stops an activity that may not be current here (a record's span ended on a pipeline task) without changing what is current.</summary>
    internal static void Stop(Activity activity)
    {
        Activity? current = Activity.Current;
        activity.Stop();
        if (current != activity) Activity.Current = current;
    }

    // Partition ids as the strings the conventions tag them with, cached so tagging allocates nothing.
    private static readonly string[] PartitionIds = [.. Enumerable.Range(0, 1024).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    internal static string PartitionId(int partition) =>
        (uint)partition < (uint)PartitionIds.Length ? PartitionIds[partition] : partition.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // Cached so tagging a measurement or naming an activity does not format an enum per request.
    private static readonly string[] ApiNames = BuildApiNames();

    internal static string ApiName(ApiKey api) =>
        (uint)(short)api < (uint)ApiNames.Length ? ApiNames[(short)api] : ((short)api).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string[] BuildApiNames()
    {
        ApiKey[] keys = Enum.GetValues<ApiKey>();
        var names = new string[keys.Max(k => (short)k) + 1];
        for (int i = 0; i < names.Length; i++) names[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (ApiKey key in keys) names[(short)key] = key.ToString();
        return names;
    }
}
