using KafkaNative.Client;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Consumer.Groups;

/// <summary>
/// Commits consumed offsets every <see cref="ConsumerOptions.AutoCommitInterval"/>. The commit handles
/// the failures it expects; anything else ends the loop and goes to <paramref name="failed"/>.
/// </summary>
internal sealed class AutoCommitLoop(TimeSpan interval, TimeProvider time, Func<CancellationToken, Task> commit, Action<Exception> failed, ILogger logger, string groupId) : SupervisedLoop
{
    protected override async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            await commit(stop).ConfigureAwait(false);
    }

    protected override void LogFault(Exception fault) => ConsumerLog.LoopFailed(logger, fault, "auto-commit", groupId);

    protected override ValueTask OnStoppedAsync()
    {
        if (Fault is not null) failed(Fault);
        return ValueTask.CompletedTask;
    }
}
