namespace KafkaNative.Producer.Tests;

public class MemoryBudgetTests
{
    [Fact]
    public async Task WaitsWhileSpentAndResumesInArrivalOrder()
    {
        var budget = new MemoryBudget(100);
        await budget.AcquireAsync(80, default);

        ValueTask first = budget.AcquireAsync(50, default);
        ValueTask second = budget.AcquireAsync(10, default);
        Assert.False(first.IsCompleted);
        // 10 bytes would fit, but it must not overtake the waiter ahead of it.
        Assert.False(second.IsCompleted);

        budget.Release(80);
        await first;
        await second;
        Assert.Equal(60, budget.InUse);
    }

    [Fact]
    public async Task CancelingAWaiterFreesTheOnesBehindIt()
    {
        var budget = new MemoryBudget(100);
        await budget.AcquireAsync(60, default);
        using var cancel = new CancellationTokenSource();
        ValueTask big = budget.AcquireAsync(90, cancel.Token);
        ValueTask small = budget.AcquireAsync(30, default);
        Assert.False(small.IsCompleted);

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await big);
        await small.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(90, budget.InUse);
    }

    [Fact]
    public void ARecordLargerThanTheWholeBudgetIsRefusedAtOnce()
    {
        var budget = new MemoryBudget(100);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => budget.AcquireAsync(101, default));
        Assert.Contains("larger than the whole buffer memory", error.Message);
    }

    [Fact]
    public async Task ConcurrentTakersAndGiversNeverLoseAWakeupOrAByte()
    {
        // Takers race on the lock-free path while givers hand bytes back from other threads: every
        // taker must get its bytes (a lost wakeup would leave one waiting), and the budget must end whole.
        var budget = new MemoryBudget(1_000);
        const int takers = 4, rounds = 20_000;
        var returns = System.Threading.Channels.Channel.CreateUnbounded<int>();
        Task[] taking = [.. Enumerable.Range(0, takers).Select(t => Task.Run(async () =>
        {
            for (int i = 0; i < rounds; i++)
            {
                int bytes = 1 + (i * 7 + t) % 300;
                await budget.AcquireAsync(bytes, CancellationToken.None);
                await returns.Writer.WriteAsync(bytes);
            }
        }))];
        Task[] giving = [.. Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            await foreach (int bytes in returns.Reader.ReadAllAsync()) budget.Release(bytes);
        }))];

        await Task.WhenAll(taking).WaitAsync(TimeSpan.FromSeconds(60));
        returns.Writer.Complete();
        await Task.WhenAll(giving).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, budget.InUse);
    }
}
