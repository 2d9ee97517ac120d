using System.Collections.Concurrent;

namespace KafkaNative.Extensions.Tests;

/// <summary>
/// What the test handlers saw, shared through the container: every call in order per key, how many ran at
/// once (overall, and per key, which must never pass one), and which values to fail.
/// </summary>
public sealed class Recorder
{
    private readonly ConcurrentDictionary<string, int> _inFlightPerKey = new();
    private int _inFlight;

    public ConcurrentDictionary<string, ConcurrentQueue<string>> PerKey { get; } = new();
    public ConcurrentDictionary<string, int> Handled { get; } = new();
    public ConcurrentDictionary<string, int> Attempts { get; } = new();
    public HashSet<string> Poison { get; } = [];
    public int MaxInFlight;
    public int SameKeyOverlaps;

    /// <summary>Set to make handlers wait, e.g. until a test lets them go.</summary>
    public Func<ConsumeResult<string, string>, CancellationToken, Task>? Gate { get; set; }

    public int InFlight => Volatile.Read(ref _inFlight);

    public async Task RunAsync(ConsumeResult<string, string> message, CancellationToken cancellationToken)
    {
        string key = message.Key ?? "";
        Attempts.AddOrUpdate(message.Value, 1, (_, n) => n + 1);
        if (_inFlightPerKey.AddOrUpdate(key, 1, (_, n) => n + 1) > 1) Interlocked.Increment(ref SameKeyOverlaps);
        int now = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref MaxInFlight, now);
        try
        {
            if (Gate is { } gate) await gate(message, cancellationToken);
            else await Task.Yield();
            if (Poison.Contains(message.Value)) throw new InvalidOperationException($"cannot handle {message.Value}");
            PerKey.GetOrAdd(key, _ => new ConcurrentQueue<string>()).Enqueue(message.Value);
            Handled.AddOrUpdate(message.Value, 1, (_, n) => n + 1);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _inFlightPerKey.AddOrUpdate(key, 0, (_, n) => n - 1);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}

/// <summary>A per-record handler that reports to the <see cref="Recorder"/>.</summary>
public sealed class RecordingHandler(Recorder recorder) : Hosting.IKafkaMessageHandler<string, string>
{
    public Task HandleAsync(ConsumeResult<string, string> message, CancellationToken cancellationToken) => recorder.RunAsync(message, cancellationToken);
}

/// <summary>A batch handler that hands each record of the batch to the <see cref="Recorder"/>, in order, and notes the batch sizes.</summary>
public sealed class RecordingBatchHandler(Recorder recorder) : Hosting.IKafkaBatchHandler<string, string>
{
    public async Task HandleAsync(ConsumeBatch<string, string> batch, CancellationToken cancellationToken)
    {
        ConsumeResult<string, string>[] records = batch.Messages.ToArray();
        Assert.All(records, r => Assert.Equal(batch.TopicPartition, r.TopicPartition));
        foreach (ConsumeResult<string, string> record in records) await recorder.RunAsync(record, cancellationToken);
    }
}
