namespace KafkaNative.Client;

/// <summary>
/// Refreshes metadata in the background once it is older than <see cref="KafkaClientOptions.MetadataMaxAge"/>.
/// It starts counting after the first refresh a user asked for, so an idle client makes no requests.
/// </summary>
internal sealed class MetadataRefreshLoop(MetadataCache cache, TimeSpan maxAge, RetryBackoff retryBackoff, TimeProvider time, Microsoft.Extensions.Logging.ILogger logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        int failures = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                TimeSpan age = cache.Current is null ? TimeSpan.Zero : time.GetElapsedTime(cache.CurrentTimestamp);
                if (age < maxAge)
                {
                    await Task.Delay(maxAge - age, time, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                try
                {
                    await cache.RefreshAsync(cancellationToken).ConfigureAwait(false);
                    failures = 0;
                }
                catch (Exception exception) when (exception is not OperationCanceledException && exception is not ObjectDisposedException)
                {
                    // Kafka errors are logged by the cache; anything else must not end the loop silently either.
                    if (exception is not Protocol.KafkaException) Diagnostics.Log.MetadataRefreshFailed(logger, exception);
                    await Task.Delay(retryBackoff.Delay(failures++), time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
