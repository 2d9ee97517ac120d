using System.Threading.Channels;
using KafkaNative.Sim.Storm;

namespace KafkaNative.Sim.Tests.Storm;

[Collection(VirtualTimeCollection.Name)]
public sealed class VirtualTimeDriverTests
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TimersFireInDueOrderAndTimeJumpsToEach()
    {
        var time = new VirtualTimeProvider(Epoch);
        var fired = new List<(string Name, TimeSpan At)>();
        using var late = time.CreateTimer(_ => fired.Add(("late", time.Elapsed)), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var early = time.CreateTimer(_ => fired.Add(("early", time.Elapsed)), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using var tie = time.CreateTimer(_ => fired.Add(("tie", time.Elapsed)), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        while (time.FireNext())
        {
        }

        Assert.Equal([("early", TimeSpan.FromSeconds(1)), ("tie", TimeSpan.FromSeconds(1)), ("late", TimeSpan.FromSeconds(3))], fired);
        Assert.Equal(Epoch + TimeSpan.FromSeconds(3), time.GetUtcNow());
    }

    [Fact]
    public void ChangedAndDisposedTimersFireOnlyAsLastArmed()
    {
        var time = new VirtualTimeProvider(Epoch);
        var fired = new List<(string Name, TimeSpan At)>();
        var moved = time.CreateTimer(_ => fired.Add(("moved", time.Elapsed)), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        var disposed = time.CreateTimer(_ => fired.Add(("disposed", time.Elapsed)), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        var periodic = time.CreateTimer(_ => fired.Add(("periodic", time.Elapsed)), null, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(4));

        moved.Change(TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
        disposed.Dispose();
        for (int i = 0; i < 3; i++)
            time.FireNext();
        periodic.Dispose();

        Assert.False(time.FireNext());
        Assert.Equal([("periodic", TimeSpan.FromSeconds(4)), ("moved", TimeSpan.FromSeconds(5)), ("periodic", TimeSpan.FromSeconds(8))], fired);
        Assert.False(disposed.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public async Task ConcurrentDelayChainsInterleaveInVirtualTimeOrder()
    {
        var time = new VirtualTimeProvider(Epoch);
        var log = Channel.CreateUnbounded<string>();

        async Task Chain(string name, int stepMs, int steps)
        {
            for (int step = 1; step <= steps; step++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(stepMs), time).ConfigureAwait(false);
                log.Writer.TryWrite($"{name}{step}@{time.Elapsed.TotalMilliseconds:0}");
            }
        }

        TimeSpan end = await new VirtualTimeDriver(time).RunAsync(async () =>
        {
            await Task.WhenAll(Chain("a", 300, 3), Chain("b", 200, 4)).ConfigureAwait(false);
            return time.Elapsed;
        });
        log.Writer.Complete();

        Assert.Equal(TimeSpan.FromMilliseconds(900), end);
        Assert.Equal(["b1@200", "a1@300", "b2@400", "a2@600", "b3@600", "b4@800", "a3@900"], await log.Reader.ReadAllAsync().ToListAsync());
    }

    [Fact]
    public async Task ATimerFiresOnlyAfterWorkOnThePoolHasRun()
    {
        var time = new VirtualTimeProvider(Epoch);
        var ping = Channel.CreateUnbounded<int>();
        var pong = Channel.CreateUnbounded<int>();
        const int Hops = 2_000;

        int hopsBeforeTimer = await new VirtualTimeDriver(time).RunAsync(async () =>
        {
            int hops = 0;
            var echo = Task.Run(async () =>
            {
                await foreach (int hop in ping.Reader.ReadAllAsync().ConfigureAwait(false))
                    pong.Writer.TryWrite(hop);
            });
            var rally = Task.Run(async () =>
            {
                for (int hop = 0; hop < Hops; hop++)
                {
                    ping.Writer.TryWrite(hop);
                    await pong.Reader.ReadAsync().ConfigureAwait(false);
                    Interlocked.Increment(ref hops);
                }
                ping.Writer.Complete();
            });
            await Task.Delay(TimeSpan.FromMilliseconds(1), time).ConfigureAwait(false);
            int seen = Volatile.Read(ref hops);
            await Task.WhenAll(echo, rally).ConfigureAwait(false);
            return seen;
        });

        Assert.Equal(Hops, hopsBeforeTimer);
    }

    [Fact]
    public async Task PeriodicTimersAndTimedCancellationRunOnVirtualTime()
    {
        var time = new VirtualTimeProvider(Epoch);

        (int Ticks, TimeSpan CancelledAt) outcome = await new VirtualTimeDriver(time).RunAsync(async () =>
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10.5), time);
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
            int ticks = 0;
            try
            {
                while (await timer.WaitForNextTickAsync(cancel.Token).ConfigureAwait(false))
                    ticks++;
            }
            catch (OperationCanceledException)
            {
            }
            return (ticks, time.Elapsed);
        });

        Assert.Equal(10, outcome.Ticks);
        Assert.Equal(TimeSpan.FromSeconds(10.5), outcome.CancelledAt);
    }

    [Fact]
    public async Task WorkWaitingOnNothingThatCanHappenIsReportedStuck()
    {
        var time = new VirtualTimeProvider(Epoch);
        var never = new TaskCompletionSource<int>();

        var driver = new VirtualTimeDriver(time) { StuckLimit = TimeSpan.Zero };

        await Assert.ThrowsAsync<TimeoutException>(() => driver.RunAsync(() => never.Task));
    }
}
