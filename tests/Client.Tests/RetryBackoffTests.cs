namespace KafkaNative.Client.Tests;

public sealed class RetryBackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(0, 100)]
    [InlineData(1, 200)]
    [InlineData(2, 400)]
    [InlineData(3, 800)]
    [InlineData(4, 1000)]
    [InlineData(30, 1000)]
    [InlineData(int.MaxValue, 1000)]
    public void EveryDelayIsWithinTwentyPercentOfTheDoubledCappedWait(int attempt, double expectedMilliseconds)
    {
        var backoff = new RetryBackoff(Initial, Max, new Random(attempt % 1000));
        for (int i = 0; i < 1000; i++)
        {
            double delay = backoff.Delay(attempt).TotalMilliseconds;
            Assert.InRange(delay, expectedMilliseconds * 0.8, expectedMilliseconds * 1.2);
        }
    }

    [Fact]
    public void ANegativeAttemptCountsAsTheFirst()
    {
        var backoff = new RetryBackoff(Initial, Max);
        Assert.InRange(backoff.Delay(-5).TotalMilliseconds, 80, 120);
    }

    [Fact]
    public void JitterSpreadsDelaysOverTheWholeRange()
    {
        var backoff = new RetryBackoff(Initial, Max, new Random(7));
        double[] delays = Enumerable.Range(0, 1000).Select(_ => backoff.Delay(0).TotalMilliseconds).ToArray();
        Assert.True(delays.Min() < 85, $"lowest delay {delays.Min()} ms");
        Assert.True(delays.Max() > 115, $"highest delay {delays.Max()} ms");
    }

    [Fact]
    public void TheSameSeedGivesTheSameDelays()
    {
        var first = new RetryBackoff(Initial, Max, new Random(42));
        var second = new RetryBackoff(Initial, Max, new Random(42));
        for (int attempt = 0; attempt < 10; attempt++) Assert.Equal(first.Delay(attempt), second.Delay(attempt));
    }

    [Fact]
    public void ConstructionRejectsANonPositiveInitialOrAMaxBelowIt()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryBackoff(TimeSpan.Zero, Max));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryBackoff(Initial, TimeSpan.FromMilliseconds(50)));
    }
}
