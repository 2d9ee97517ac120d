using System.Diagnostics;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// Runs real async code on a <see cref="VirtualTimeProvider"/>: whenever nothing is runnable
/// (<see cref="ThreadPoolQuiescence"/>) it fires the earliest due timer, so timers fire in virtual-time order and
/// a minute of timeouts, backoffs and linger passes as fast as the code between them runs. It drives from a
/// dedicated thread, which the quiescence check requires. Since it looks at the whole process's thread pool,
/// only one driver should run at a time and nothing else should keep the pool busy.
/// </summary>
internal sealed class VirtualTimeDriver(VirtualTimeProvider time)
{
    /// <summary>How long to wait for the pool to settle before firing anyway (a thread blocked in a wait never settles).</summary>
    public TimeSpan SettleLimit { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the pool may stay quiet with no timer armed and the work unfinished before the run counts as stuck.</summary>
    public TimeSpan StuckLimit { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Timers fired before the pool settled, within <see cref="SettleLimit"/>: each is a place where order may vary between runs.</summary>
    public long UnsettledFirings { get; private set; }

    /// <summary>Thread-pool workers the driver took to be blocked for good (a test host's, for one) and so ignored.</summary>
    public int BlockedWorkers { get; private set; }

    /// <summary>
    /// Starts <paramref name="work"/> on the thread pool and fires timers until the task it returns completes.
    /// </summary>
    /// <exception cref="TimeoutException">Nothing was runnable, no timer was armed and the work did not finish.</exception>
    public Task<T> RunAsync<T>(Func<Task<T>> work, CancellationToken ct = default)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() => Drive(work, done, ct)) { IsBackground = true, Name = "virtual time driver" };
        thread.Start();
        return done.Task;
    }

    private void Drive<T>(Func<Task<T>> work, TaskCompletionSource<T> done, CancellationToken ct)
    {
        try
        {
            // Measured before the work starts, so only workers blocked elsewhere count as the baseline.
            var quiescence = new ThreadPoolQuiescence();
            Task<T> running = Task.Run(work, ct);
            long idleSince = 0;
            while (!running.IsCompleted)
            {
                ct.ThrowIfCancellationRequested();
                bool settled = quiescence.WaitUntilQuiet(SettleLimit);
                BlockedWorkers = quiescence.BlockedWorkers;
                if (running.IsCompleted)
                    break;
                if (time.FireNext())
                {
                    idleSince = 0;
                    if (!settled)
                        UnsettledFirings++;
                    continue;
                }
                // Nothing armed: whatever is left is outside the pool (a socket, another thread), or nothing is left.
                if (idleSince == 0)
                    idleSince = Stopwatch.GetTimestamp();
                else if (Stopwatch.GetElapsedTime(idleSince) > StuckLimit)
                    throw new TimeoutException($"The run is stuck at {time.Elapsed} of virtual time: nothing runnable, no timer armed.");
                Thread.Sleep(1);
            }
            running.GetAwaiter().GetResult();
            done.SetResult(running.Result);
        }
        catch (OperationCanceledException e)
        {
            done.TrySetCanceled(e.CancellationToken);
        }
        catch (Exception e)
        {
            done.TrySetException(e);
        }
    }
}
