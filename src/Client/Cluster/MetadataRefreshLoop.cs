namespace KafkaNative.Client;

/// <summary>
/// Refreshes metadata in the background once it is older than <see cref="KafkaClientOptions.MetadataMaxAge"/>.
/// It starts counting after the first refresh a user asked for, so an idle client makes no requests.
/// </summary>
internal sealed class MetadataRefreshLoop(MetadataCache cache, TimeSpan maxAge, RetryBackoff retryBackoff, TimeProvider time, Microsoft.Extensions.Logging.ILogger logger) : SupervisedLoop
{
    protected override async Task RunAsync(CancellationToken stop)
    {
        int failures = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                TimeSpan age = cache.Current is null ? TimeSpan.Zero : time.GetElapsedTime(cache.CurrentTimestamp);
                if (age < maxAge)
                {
                    await Task.Delay(maxAge - age, time, stop).ConfigureAwait(false);
                    continue;
                }
                try
                {
                    await cache.RefreshAsync(stop).ConfigureAwait(false);
                    failures = 0;
                }
                catch (Exception exception) when (exception is not OperationCanceledException && exception is not ObjectDisposedException)
                {
                    // Kafka errors are logged by the cache; anything else must not end the loop silently either.
                    if (exception is not KafkaException) Diagnostics.Log.MetadataRefreshFailed(logger, exception);
                    await Task.Delay(retryBackoff.Delay(failures++), time, stop).ConfigureAwait(false);
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // The cache was disposed under us: the cluster is closing.
        }
    }

    protected override void LogFault(Exception fault) => Diagnostics.Log.MetadataRefreshFailed(logger, fault);
}
