using System.Diagnostics;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// Tells when the process has no runnable work left: nothing queued on the thread pool, no worker running an
/// item, and no item completed between consecutive looks. A worker leaves the running count only after it
/// found the queues empty, so together they mean every continuation has run and everything waits on a timer
/// (or on something outside the pool, which this cannot see). Workers blocked for good in a synchronous wait,
/// as a test host's are, never leave the running count: they are learned as a baseline, the workers already
/// running when the check was made and those that stay running through a whole settle limit without the pool
/// completing anything. The caller must not itself be a thread-pool thread.
/// </summary>
internal sealed class ThreadPoolQuiescence
{
    // Quiet looks in a row before believing it: a worker may be between dequeuing and counting itself.
    private const int QuietLooksNeeded = 3;

    private int _blockedWorkers = RunningWorkers();

    /// <summary>Workers taken to be blocked for good, not counted as running work.</summary>
    public int BlockedWorkers => _blockedWorkers;

    /// <summary>Waits until the pool is quiet; false when it is still busy after <paramref name="limit"/> of wall time.</summary>
    public bool WaitUntilQuiet(TimeSpan limit)
    {
        long started = Stopwatch.GetTimestamp();
        long completed = ThreadPool.CompletedWorkItemCount;
        long completedAtStart = completed;
        int quietLooks = 0;
        int looks = 0;
        while (true)
        {
            int running = RunningWorkers();
            // Fewer running than the baseline: some blocked worker was released, so the baseline was too high.
            _blockedWorkers = Math.Min(_blockedWorkers, running);
            bool idle = ThreadPool.PendingWorkItemCount == 0 && running <= _blockedWorkers;
            long nowCompleted = ThreadPool.CompletedWorkItemCount;
            quietLooks = idle && nowCompleted == completed ? quietLooks + 1 : 0;
            if (quietLooks >= QuietLooksNeeded)
                return true;
            completed = nowCompleted;
            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                if (ThreadPool.PendingWorkItemCount == 0 && completed == completedAtStart)
                    _blockedWorkers = running;
                return false;
            }
            // Give the core to the workers: with two cores, spinning here slows down what it waits for.
            if (++looks < 50)
                Thread.Yield();
            else
                Thread.Sleep(looks < 200 ? 0 : 1);
        }
    }

    private static int RunningWorkers()
    {
        ThreadPool.GetMaxThreads(out int max, out _);
        ThreadPool.GetAvailableThreads(out int available, out _);
        return max - available;
    }
}
