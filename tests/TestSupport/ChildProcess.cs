using System.Diagnostics;

namespace KafkaNative.TestSupport;

/// <summary>Waiting for a child process with a deadline, the same way for kcat in tests and for bench children.</summary>
public static class ChildProcess
{
    /// <summary>Waits for <paramref name="process"/> to exit; past <paramref name="timeout"/> kills it (and its children) and returns false.</summary>
    public static async Task<bool> WaitForExitOrKillAsync(Process process, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return false;
        }
    }
}
