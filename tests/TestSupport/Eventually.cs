using System.Diagnostics;

namespace KafkaNative.TestSupport;

/// <summary>Waiting for a condition by polling it against a deadline, never by sleeping a fixed time.</summary>
public static class Eventually
{
    /// <summary>How long a condition may take when the caller names no timeout: long enough never to be the flaky part.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds; throws <see cref="TimeoutException"/> naming <paramref name="what"/> past the timeout.</summary>
    public static Task TrueAsync(Func<bool> condition, Func<string> what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>As <see cref="TrueAsync(Func{bool}, Func{string}, TimeSpan?)"/>, with a fixed description.</summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) => TrueAsync(condition, () => what, timeout);

    /// <summary>As <see cref="TrueAsync(Func{Task{bool}}, Func{string}, TimeSpan?)"/>, with a fixed description.</summary>
    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) => TrueAsync(condition, () => what, timeout);

    /// <summary>As <see cref="TrueAsync(Func{bool}, Func{string}, TimeSpan?)"/>, for a condition that must ask something asynchronously.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, Func<string> what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > (timeout ?? DefaultTimeout)) throw new TimeoutException($"Timed out waiting for {what()}.");
            await Task.Delay(20);
        }
    }
}
