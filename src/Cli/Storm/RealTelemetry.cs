using System.Diagnostics.Metrics;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// Counts what the real clients report through the <c>KafkaNative</c> meter during one run: Produce requests sent,
/// requests that timed out, failed connection attempts (the real client's requests to a dead broker end there),
/// producer retries and breaker openings. The meter is process-wide, so only one run should listen at a time.
/// </summary>
internal sealed class RealTelemetry : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _produceRequests;
    private long _timeouts;
    private long _failedConnects;
    private long _retries;
    private long _breakerOpenings;

    public RealTelemetry()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "KafkaNative" && instrument.Name is "kafka.client.requests" or "kafka.client.errors" or "kafka.client.connection.attempts"
                    or "kafka.producer.retries" or "kafka.producer.breaker.openings")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>Produce requests the clients wrote (some never reach a broker).</summary>
    public long ProduceRequests => Interlocked.Read(ref _produceRequests);

    /// <summary>Requests that got no answer within the request timeout.</summary>
    public long Timeouts => Interlocked.Read(ref _timeouts);

    /// <summary>Connection attempts that failed: a dead broker refuses them.</summary>
    public long FailedConnects => Interlocked.Read(ref _failedConnects);

    /// <summary>Times a producer's partition backed off to send its records again after a failure.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Times a producer's circuit breaker for a broker opened.</summary>
    public long BreakerOpenings => Interlocked.Read(ref _breakerOpenings);

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? tag = tags.Length > 0 ? tags[0].Value as string : null;
        switch (instrument.Name)
        {
            case "kafka.client.requests" when tag == "Produce":
                Interlocked.Add(ref _produceRequests, value);
                break;
            case "kafka.client.errors" when tag is not null && tag.Contains("Timeout", StringComparison.Ordinal):
                Interlocked.Add(ref _timeouts, value);
                break;
            case "kafka.client.connection.attempts" when tag == "failure":
                Interlocked.Add(ref _failedConnects, value);
                break;
            case "kafka.producer.retries":
                Interlocked.Add(ref _retries, value);
                break;
            case "kafka.producer.breaker.openings":
                Interlocked.Add(ref _breakerOpenings, value);
                break;
        }
    }
}
