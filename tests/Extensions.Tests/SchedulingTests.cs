using System.Collections.Concurrent;
using System.Text;
using KafkaNative.Extensions.Hosting;

namespace KafkaNative.Extensions.Tests;

/// <summary>The hosted consumer's two pieces of bookkeeping on their own: which offset may be stored, and what may run at once.</summary>
public class SchedulingTests
{
    [Fact]
    public void TheStoredOffsetOnlyCoversRecordsDoneTogetherWithEveryRecordBeforeThem()
    {
        var stored = new List<long>();
        var progress = new PartitionProgress(stored.Add);
        foreach (long offset in new long[] { 5, 6, 8, 9 }) progress.Dispatched(offset);   // 7 was a transaction marker

        progress.Completed(8);
        progress.Completed(6);
        Assert.Equal([5], stored);                  // 5 is still running: nothing past it is stored
        Assert.False(progress.WhenDrainedAsync().IsCompleted);
        progress.Completed(5);
        Assert.Equal([5, 9], stored);               // 5, 6 and 8 are done: the next to read is 9
        progress.Completed(9);
        Assert.Equal([5, 9, 10], stored);
        Assert.True(progress.WhenDrainedAsync().IsCompleted);

        progress.Retire();
        progress.Dispatched(10);
        progress.Completed(10);
        Assert.Equal([5, 9, 10], stored);           // a partition no longer ours stores nothing
    }

    [Fact]
    public async Task OneKeyRunsInOrderAndAlone_OtherKeysOverlap_AtMostNAtOnce()
    {
        using var scheduler = new LaneScheduler(maxConcurrency: 3, maxQueued: 100);
        var partition = new TopicPartition("t", 0);
        var order = new ConcurrentDictionary<string, ConcurrentQueue<int>>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int running = 0, maxRunning = 0, keyAOverlap = 0, keyARunning = 0;
        for (int i = 0; i < 30; i++)
        {
            int n = i;
            string key = n % 3 == 0 ? "a" : $"other-{n}";
            await scheduler.ScheduleAsync(Lane.ForRecord(partition, Encoding.UTF8.GetBytes(key)), async () =>
            {
                int now = Interlocked.Increment(ref running);
                int seen;
                while ((seen = Volatile.Read(ref maxRunning)) < now && Interlocked.CompareExchange(ref maxRunning, now, seen) != seen) { }
                if (key == "a" && Interlocked.Increment(ref keyARunning) > 1) Interlocked.Increment(ref keyAOverlap);
                order.GetOrAdd(key, _ => new ConcurrentQueue<int>()).Enqueue(n);
                // The first item of key a holds its slot until the test lets it go: the other keys must go on meanwhile.
                if (n == 0) await release.Task;
                else await Task.Yield();
                if (key == "a") Interlocked.Decrement(ref keyARunning);
                Interlocked.Decrement(ref running);
            }, CancellationToken.None);
        }
        await Eventually.TrueAsync(() => order.Count(o => o.Key != "a") == 20, "every other key done while key a is held");
        Assert.Single(order["a"]);
        release.SetResult();
        await scheduler.WhenIdleAsync().WaitAsync(Eventually.DefaultTimeout);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 3), order["a"]);
        Assert.Equal(0, keyAOverlap);
        Assert.InRange(maxRunning, 2, 3);
    }

    [Fact]
    public void KeylessRecordsShareTheirPartitionsLane_KeyedRecordsShareTheKeysLaneAcrossPartitions()
    {
        var p0 = new TopicPartition("t", 0);
        var p1 = new TopicPartition("t", 1);
        Assert.Equal(Lane.ForRecord(p0, null), Lane.ForRecord(p0, null));
        Assert.NotEqual(Lane.ForRecord(p0, null), Lane.ForRecord(p1, null));
        Assert.Equal(Lane.ForRecord(p0, [1, 2]), Lane.ForRecord(p1, [1, 2]));
        Assert.NotEqual(Lane.ForRecord(p0, [1, 2]), Lane.ForRecord(p0, [1, 3]));
        Assert.NotEqual(Lane.ForRecord(p0, []), Lane.ForRecord(p0, null));
    }

    [Theory]
    [InlineData("00:00:30", 30_000)]
    [InlineData("30s", 30_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("1d", 86_400_000)]
    public void DurationsReadInBothForms(string text, double milliseconds)
    {
        Assert.True(KafkaNative.Extensions.Hosting.Configuration.Duration.TryParse(text, out TimeSpan value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("thirty seconds")]
    [InlineData("5x")]
    [InlineData("")]
    public void AmbiguousOrBadDurationsAreRefused(string text) =>
        Assert.False(KafkaNative.Extensions.Hosting.Configuration.Duration.TryParse(text, out _));
}
