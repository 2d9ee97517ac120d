using System.Diagnostics;

namespace KafkaNative.Bench;

/// <summary>
/// What a client child process reports of its own measured loop (first send or first record to last ack or
/// last record): the one JSON line it prints. Allocation is reported for our client only; Confluent's
/// managed allocations would leave out librdkafka's native ones. <see cref="Transactions"/> counts the
/// transactions the loop committed or aborted (0 without transactions).
/// </summary>
internal sealed record InLoopFigures(
    string Client, string Workload, long Messages, long Failed, int Warmup, double Seconds, double CpuUsPerMsg, double? AllocBytesPerMsg, int Transactions = 0);

/// <summary>Wall clock, process CPU and (optionally) allocated bytes from <see cref="Start"/> to <see cref="Stop"/>.</summary>
internal sealed class LoopMeter
{
    private long _startTicks;
    private TimeSpan _startCpu;
    private long _startAllocated;

    public bool Started { get; private set; }

    public void Start()
    {
        Started = true;
        _startAllocated = GC.GetTotalAllocatedBytes(precise: true);
        _startCpu = Process.GetCurrentProcess().TotalProcessorTime;
        _startTicks = Stopwatch.GetTimestamp();
    }

    public InLoopFigures Stop(ClientSettings settings, long messages, long failed, bool reportAllocations)
    {
        double seconds = Stopwatch.GetElapsedTime(_startTicks).TotalSeconds;
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - _startCpu;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - _startAllocated;
        return new InLoopFigures(
            settings.Client, settings.Workload, messages, failed, settings.Warmup, Math.Round(seconds, 4),
            Math.Round(cpu.TotalMicroseconds / Math.Max(messages, 1), 3),
            reportAllocations ? Math.Round((double)allocated / Math.Max(messages, 1), 2) : null);
    }
}
