using Microsoft.Extensions.Time.Testing;

namespace KafkaNative.TestSupport;

/// <summary>Driving a client on a <see cref="FakeTimeProvider"/> when the test cannot know the moment its timer is armed.</summary>
public static class FakeClock
{
    /// <summary>
    /// Advances <paramref name="time"/> by <paramref name="step"/> at each poll of <see cref="Eventually"/>
    /// until <paramref name="condition"/> holds. The fake clock moves only here, so a condition that needs
    /// a wait of W holds only once the advances add up to W, however slow the machine.
    /// </summary>
    public static Task AdvanceUntilAsync(this FakeTimeProvider time, Func<bool> condition, TimeSpan step, string what, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(() =>
        {
            if (condition()) return true;
            time.Advance(step);
            return false;
        }, what, timeout);
}
