using System.Diagnostics;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// A record's completion wrapped with what its telemetry needs when it ends: the <c>send</c> activity and
/// the time it was handed over. Only created while something listens (<see cref="ProducerTelemetry.Enabled"/>),
/// so the hot path allocates nothing otherwise.
/// </summary>
internal sealed class TracedDelivery(Activity? activity, long started, object? inner)
{
    public Activity? Activity { get; } = activity;

    /// <summary>When the record was handed over (a timestamp of the producer's clock).</summary>
    public long Started { get; } = started;

    /// <summary>The caller's completion: a <see cref="DeliveryPromise"/>, a delivery callback, or null.</summary>
    public object? Inner { get; } = inner;
}
