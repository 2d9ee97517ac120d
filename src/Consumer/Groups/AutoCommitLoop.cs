namespace KafkaNative.Consumer.Groups;

/// <summary>Commits consumed offsets every <see cref="ConsumerOptions.AutoCommitInterval"/>.</summary>
internal sealed class AutoCommitLoop(TimeSpan interval, Func<CancellationToken, Task> commit)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                await commit(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed.
        }
    }
}
