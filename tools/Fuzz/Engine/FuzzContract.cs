using System.Diagnostics;

namespace KafkaNative.Fuzz.Engine;

/// <summary>What one execution did, measured against the contract.</summary>
/// <param name="Accepted">The input decoded to a valid message.</param>
public readonly record struct Execution(bool Accepted, Exception? Violation, TimeSpan Elapsed, long AllocatedBytes);

/// <summary>
/// The fuzzing contract: every input ends in a valid message or the protocol exception, within a
/// time and an allocation budget. Budgets are generous (noisy shared machines) but far below what a
/// hang or an allocation sized by an unchecked length costs.
/// </summary>
public static class FuzzContract
{
    /// <summary>Wall-clock budget per input; a slower run is reported as a hang.</summary>
    public static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(10); // AFL++ runs with -t 10000 too

    /// <summary>Fixed part of the allocation budget: decompression caps and pooled buffers.</summary>
    public const long FixedAllocationBudget = 32L * 1024 * 1024;

    /// <summary>Allocation allowed per input byte: decoded objects cost more than the bytes they come from.</summary>
    public const long AllocationPerInputByte = 512;

    public static long AllocationBudget(int inputLength) => FixedAllocationBudget + AllocationPerInputByte * inputLength;

    /// <summary>Runs <paramref name="input"/> and reports any breach of the contract as <see cref="Execution.Violation"/>.</summary>
    public static Execution Execute(FuzzTarget target, byte[] input)
    {
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long started = Stopwatch.GetTimestamp();
        bool accepted = false;
        Exception? violation = null;
        try
        {
            accepted = target.Run(input);
        }
        catch (Exception exception) when (target.IsRejection(exception))
        {
        }
        catch (Exception exception)
        {
            violation = exception;
        }
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        if (violation is null && elapsed > TimeBudget)
            violation = new FuzzContractException($"{target.Name}: one input took {elapsed.TotalMilliseconds:F0} ms (budget {TimeBudget.TotalMilliseconds:F0} ms)");
        if (violation is null && allocated > AllocationBudget(input.Length))
            violation = new FuzzContractException($"{target.Name}: one {input.Length}-byte input allocated {allocated:N0} bytes (budget {AllocationBudget(input.Length):N0})");
        return new Execution(accepted, violation, elapsed, allocated);
    }
}

/// <summary>A breach of the time or allocation budget (the decoder itself threw nothing wrong).</summary>
public sealed class FuzzContractException(string message) : Exception(message);
