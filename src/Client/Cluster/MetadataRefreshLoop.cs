using System.Diagnostics;

namespace KafkaNative.Client;

/// <summary>
/// Refreshes metadata in the background once it is older than <see cref="KafkaClientOptions.MetadataMaxAge"/>.
/// It starts counting after the first refresh a user asked for, so an idle client makes no requests.
/// </summary>
internal sealed class MetadataRefreshLoop(MetadataCache cache, TimeSpan maxAge, TimeSpan retryDelay)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                TimeSpan age = cache.Current is null ? TimeSpan.Zero : Stopwatch.GetElapsedTime(cache.CurrentTimestamp);
                if (age < maxAge)
                {
                    await Task.Delay(maxAge - age, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                try
                {
                    await cache.RefreshAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is Protocol.KafkaException)
                {
                    // Logged by the cache; back off instead of spinning.
                    await Task.Delay(retryDelay, cancellationToken).ConfigureAwait(false);
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
