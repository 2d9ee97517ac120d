namespace KafkaNative.Sim;

/// <summary>Posts a tick to its broker at a fixed interval, driving timeouts (fetch max wait, produce timeout, group sessions).</summary>
internal sealed class BrokerClock(SimulatedBroker broker, TimeSpan interval)
{
    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false)) broker.TryPost(Tick.Instance);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
