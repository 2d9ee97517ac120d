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
}
