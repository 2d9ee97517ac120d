namespace KafkaNative.Client.Tests;

/// <summary>The one lifecycle every long-lived loop shares: how it starts, stops, and fails.</summary>
public sealed class SupervisedLoopTests
{
    [Fact]
    public async Task AnUnexpectedExceptionIsLoggedAndKeptAsFaultAndCompletionDoesNotFault()
    {
        var bug = new InvalidOperationException("a bug");
        var loop = new ProbeLoop(_ => throw bug);
        loop.Start();

        await loop.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(loop.Completion.IsCompletedSuccessfully);
        Assert.Same(bug, loop.Fault);
        Assert.Equal([bug], loop.Logged);
        Assert.Same(bug, loop.FaultSeenWhenStopping);
        Assert.True(loop.IsStopped);
    }

    [Fact]
    public async Task StopAsyncCancelsTheLoopQuietlyAndRunsItsCleanUpOnce()
    {
        var loop = new ProbeLoop(stop => Task.Delay(Timeout.Infinite, stop));
        loop.Start();

        await loop.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Null(loop.Fault);
        Assert.Empty(loop.Logged);
        Assert.Equal(1, loop.StoppedCount);
    }

    [Fact]
    public async Task TheOwnersTokenStopsTheLoop()
    {
        using var owner = new CancellationTokenSource();
        var loop = new ProbeLoop(stop => Task.Delay(Timeout.Infinite, stop));
        loop.Start(owner.Token);

        await owner.CancelAsync();
        await loop.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Null(loop.Fault);
        Assert.Equal(1, loop.StoppedCount);
    }

    [Fact]
    public async Task ALoopNeverStartedCountsAsStoppedAndCannotStartAfterwards()
    {
        var loop = new ProbeLoop(_ => Task.CompletedTask);

        await loop.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(loop.IsStopped);
        Assert.Equal(0, loop.StoppedCount);
        Assert.Throws<InvalidOperationException>(() => loop.Start());
    }

    private sealed class ProbeLoop(Func<CancellationToken, Task> run) : SupervisedLoop
    {
        public List<Exception> Logged { get; } = [];
        public Exception? FaultSeenWhenStopping { get; private set; }
        public int StoppedCount { get; private set; }

        protected override Task RunAsync(CancellationToken stop) => run(stop);

        protected override void LogFault(Exception fault) => Logged.Add(fault);

        protected override ValueTask OnStoppedAsync()
        {
            StoppedCount++;
            FaultSeenWhenStopping = Fault;
            return ValueTask.CompletedTask;
        }
    }
}
