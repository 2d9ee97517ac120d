namespace KafkaNative.Client;

/// <summary>
/// Watches a connection's requests for missed deadlines. One timer per connection instead of one per
/// request keeps sending allocation-free; a timed-out request closes the connection, because the
/// broker may still answer it and every later response would then be suspect.
/// </summary>
internal sealed class RequestTimeoutLoop(BrokerConnection connection, TimeSpan tick, TimeProvider time)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(tick, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                connection.CheckDeadlines(time.GetTimestamp());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
