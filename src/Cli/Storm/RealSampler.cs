using KafkaNative.Protocol;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// Once a second of the run's clock, notes the cumulative counters a real run's series is made of: Produce
/// requests the brokers received, the clients' request timeouts, failed connection attempts and retries, and the
/// records still waiting for a verdict. The series is the differences between consecutive samples.
/// </summary>
internal sealed class RealSampler(SimulatedCluster cluster, RealTelemetry telemetry, RealLedger ledger, TimeProvider time, long start)
{
    private readonly List<Sample> _samples = [];

    /// <summary>One sample per whole second that passed, in order.</summary>
    public IReadOnlyList<Sample> Samples => _samples;

    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            for (int second = 1; ; second++)
            {
                var wait = TimeSpan.FromSeconds(second) - time.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, time, ct).ConfigureAwait(false);
                _samples.Add(new Sample(SumRequests(cluster, ApiKey.Produce), telemetry.Timeouts, telemetry.FailedConnects, telemetry.Retries, ledger.Pending));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public static long SumRequests(SimulatedCluster cluster, ApiKey api) => cluster.BrokerIds.Sum(broker => cluster.RequestCount(broker, api));

    /// <summary>Counters at the end of one second, cumulative from the start except <see cref="Pending"/>.</summary>
    public readonly record struct Sample(long ProduceRequests, long Timeouts, long FailedConnects, long Retries, long Pending);
}
