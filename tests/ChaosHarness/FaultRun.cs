using System.Diagnostics;

namespace KafkaNative.Chaos;

/// <summary>
/// Runs a producer workload and injects a fault into it mid-stream, <c>cycles</c> times. Over several
/// cycles a gated workload (ours) may run <see cref="ChaosSettings.StreamChunk"/> records further before
/// each, and the fault strikes once its backlog exceeds <see cref="ChaosSettings.BacklogRecords"/>, so a
/// short stream meets every cycle. Otherwise (kcat, or a single cycle, as the bench runs both clients
/// alike) the stream runs free and the fault strikes once a further share of its records is settled.
/// Each cycle injects, holds, heals and waits for every replica to be back in sync; the rest of the
/// stream follows the last cycle.
/// </summary>
/// <param name="fault">The fault, fresh for this run.</param>
/// <param name="cycles">Injections.</param>
/// <param name="countRefusedConnections">
/// Stand a <see cref="RefusingListener"/> on a stopped broker's port to count connection attempts
/// (the bench does; tests leave the port closed, as a real dead broker's is).
/// </param>
public sealed class FaultRun(Fault fault, int cycles, bool countRefusedConnections = false)
{
    /// <summary>How long the stream may make no progress at all before the run gives up.</summary>
    private static readonly TimeSpan NoProgress = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Records a gated workload needs for <paramref name="cycles"/> cycles and the stream after the last,
    /// with half a chunk of slack per cycle for gates that had to open further before a backlog built.
    /// </summary>
    public static int RecordsFor(int cycles) => (cycles + 2) * ChaosSettings.StreamChunk + cycles * ChaosSettings.StreamChunk / 2;

    /// <summary>Runs <paramref name="workload"/> over <paramref name="records"/> records under the fault.</summary>
    public async Task<FaultRunReport> RunAsync(FaultTarget target, IProduceWorkload workload, int records, CancellationToken ct = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        StreamGate? gate = cycles > 1 ? workload.Gate : null;
        if (gate is null) workload.Gate?.OpenTo(records);
        Task producing = Task.Run(() => workload.RunAsync(stop.Token), ct);
        long smallestBacklog = long.MaxValue;
        long connections = 0;
        TimeSpan faulted = TimeSpan.Zero;
        try
        {
            for (int cycle = 0; cycle < cycles; cycle++)
            {
                await UntilStreamingAsync(workload, gate, cycle, records, producing);
                smallestBacklog = Math.Min(smallestBacklog, workload.BacklogRecords);
                long[] accepted = [.. target.Cluster.BrokerIds.Select(target.Cluster.ConnectionCount)];
                long started = Stopwatch.GetTimestamp();
                await Bounded(fault.InjectAsync(target), () => $"injecting {fault.Name}");
                using (RefusingListener? refuser = countRefusedConnections && fault.TakesVictimDown
                    ? RefusingListener.Start(ChaosCluster.AddressOf(target.Cluster, fault.Victim)) : null)
                {
                    await Task.Delay(fault.Hold, ct);
                    connections += refuser?.Attempts ?? 0;
                }
                await Bounded(fault.HealAsync(target), () => $"healing {fault.Name}");
                faulted += Stopwatch.GetElapsedTime(started);
                if (fault.Victim >= 0) connections += target.Cluster.ConnectionCount(fault.Victim) - accepted[fault.Victim];
                await target.Cluster.WaitForFullIsrAsync(NoProgress);
            }
            gate?.OpenTo(records);
            await Bounded(producing, () => $"waiting for every record to settle and the producer to close ({workload.Describe()})", ChaosSettings.DeliveryTimeout + NoProgress);
        }
        catch
        {
            // Stop the producer, giving it a bounded while to close, and report the first failure.
            await stop.CancelAsync();
            try
            {
                await producing.WaitAsync(NoProgress);
            }
            catch (Exception)
            {
                // The failure being reported comes first; how the stopped workload ended (or that it hung) is secondary.
            }
            throw;
        }
        bool countable = fault.Victim >= 0 && (!fault.TakesVictimDown || countRefusedConnections);
        return new FaultRunReport(fault.Name, workload.Client, cycles, workload.Ledger.Gaps.Longest, workload.Ledger.Acknowledged, workload.Ledger.Failed,
            workload.Ledger.FirstFailure, smallestBacklog == long.MaxValue ? 0 : smallestBacklog,
            countable && faulted > TimeSpan.Zero ? connections / faulted.TotalSeconds : double.NaN);
    }

    /// <summary>Awaits <paramref name="task"/>, failing with a message naming <paramref name="what"/> if it hangs.</summary>
    private static async Task Bounded(Task task, Func<string> what, TimeSpan? timeout = null)
    {
        try
        {
            await task.WaitAsync(timeout ?? NoProgress);
        }
        catch (TimeoutException e) when (!task.IsCompleted)
        {
            throw new TimeoutException($"Timed out {what()}.", e);
        }
    }

    /// <summary>Waits until the stream is flowing with a backlog (gated) or far enough along (ungated).</summary>
    private Task UntilStreamingAsync(IProduceWorkload workload, StreamGate? gate, int cycle, int records, Task producing)
    {
        if (gate is not null)
        {
            gate.OpenTo(workload.Enqueued + ChaosSettings.StreamChunk);
            return UntilAsync(() =>
            {
                if (workload.BacklogRecords > ChaosSettings.BacklogRecords) return true;
                // Still no backlog near the gate: the cluster drains as fast as the producer feeds it for now; let it run on.
                if (gate.Limit - workload.Enqueued < ChaosSettings.StreamChunk / 2) gate.OpenTo(workload.Enqueued + ChaosSettings.StreamChunk);
                return false;
            }, producing, () => $"a backlog of {ChaosSettings.BacklogRecords} records before injection {cycle + 1} ({workload.Describe()})");
        }
        long trigger = (cycle + 1L) * records / (cycles + 2);
        return UntilAsync(() => workload.Ledger.Acknowledged + workload.Ledger.Failed >= trigger, producing,
            () => $"{trigger} records settled before injection {cycle + 1} ({workload.Describe()})");
    }

    /// <summary>Polls <paramref name="condition"/>; fails when the workload ends first or a minute passes.</summary>
    private static async Task UntilAsync(Func<bool> condition, Task producing, Func<string> what)
    {
        long deadline = Environment.TickCount64 + (long)NoProgress.TotalMilliseconds;
        while (!condition())
        {
            if (producing.IsCompleted)
            {
                await producing;
                throw new InvalidOperationException($"The workload ended before {what()}.");
            }
            if (Environment.TickCount64 > deadline) throw new TimeoutException($"Timed out waiting for {what()}.");
            await Task.Delay(1);
        }
    }
}
