using System.Diagnostics;
using System.Diagnostics.Metrics;
using KafkaNative.Protocol;

namespace KafkaNative;

/// <summary>
/// The <see cref="Meter"/> and <see cref="ActivitySource"/> named <c>"KafkaNative"</c>. Subscribe to them
/// with OpenTelemetry (<c>AddMeter("KafkaNative")</c>, <c>AddSource("KafkaNative")</c>) or a
/// <see cref="MeterListener"/>/<see cref="ActivityListener"/>.
/// </summary>
public static class KafkaTelemetry
{
    /// <summary>The name of the meter and the activity source.</summary>
    public const string Name = "KafkaNative";

    /// <summary>Metrics: connections, requests, bytes, latency and errors.</summary>
    public static readonly Meter Meter = new(Name);

    /// <summary>Traces: one activity per request when something listens.</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

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
