using System.Diagnostics;

namespace KafkaNative.Interop.Tests;

/// <summary>Waiting for a condition by polling it against a deadline, never by sleeping a fixed time.</summary>
internal static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, Func<string> what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) => TrueAsync(condition, () => what, timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, Func<string> what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > (timeout ?? Sims.Generous)) throw new TimeoutException($"Timed out waiting for {what()}.");
            await Task.Delay(20);
        }
    }
}
