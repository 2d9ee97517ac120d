namespace KafkaNative.Consumer.Groups;

/// <summary>
/// Commits consumed offsets every <see cref="ConsumerOptions.AutoCommitInterval"/>. The commit handles
/// the failures it expects; anything else ends the loop and goes to <paramref name="failed"/>.
/// </summary>
internal sealed class AutoCommitLoop(TimeSpan interval, TimeProvider time, Func<CancellationToken, Task> commit, Action<Exception> failed)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                await commit(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (Exception error)
        {
            failed(error);
        }
    }
}
