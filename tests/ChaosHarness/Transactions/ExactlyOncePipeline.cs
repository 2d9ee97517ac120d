using KafkaNative.Sim;

namespace KafkaNative.Chaos;

/// <summary>
/// Consume-transform-produce, exactly once: the input topic filled with <see cref="KeyedRecords"/> by our
/// idempotent producer, then <see cref="TransformWorker"/>s in one group copying it to the output topic in
/// transactions. A member can be killed mid-run: its loop is cancelled wherever it is, and a replacement
/// with the same transactional id starts at once, while the old one is still closing (its open transaction
/// is aborted by whichever comes first, its own close or the replacement's fencing). A worker that fails
/// fatally is replaced the same way.
/// </summary>
public sealed class ExactlyOncePipeline : IAsyncDisposable
{
    /// <summary>The input topic.</summary>
    public const string Input = "eos-in";

    /// <summary>The output topic.</summary>
    public const string Output = "eos-out";

    /// <summary>The consumer group of the workers.</summary>
    public const string Group = "eos-group";

    private readonly SimulatedCluster _cluster;
    private readonly int _abortEvery;
    private readonly Slot[] _slots;
    private readonly List<Task> _retired = [];
    private readonly List<string> _failures = [];

    private ExactlyOncePipeline(SimulatedCluster cluster, int workers, int abortEvery)
    {
        _cluster = cluster;
        _abortEvery = abortEvery;
        _slots = new Slot[workers];
    }

    /// <summary>Input records.</summary>
    public long Records { get; private set; }

    /// <summary>Members killed or failed and replaced.</summary>
    public int Replacements { get; private set; }

    /// <summary>Transactions committed, over every member.</summary>
    public long Committed => _slots.Sum(s => s.Worker.Committed) + _retiredCommitted;

    /// <summary>Transactions aborted, over every member.</summary>
    public long Aborted => _slots.Sum(s => s.Worker.Aborted) + _retiredAborted;

    private long _retiredCommitted;
    private long _retiredAborted;

    /// <summary>Creates the topics, writes <paramref name="records"/> input records, and starts <paramref name="workers"/> members.</summary>
    public static async Task<ExactlyOncePipeline> StartAsync(SimulatedCluster cluster, int workers, int records, int abortEvery)
    {
        await cluster.CreateTopicAsync(Input, ChaosSettings.Partitions);
        await cluster.CreateTopicAsync(Output, ChaosSettings.Partitions);
        await using (var producer = new KafkaProducer<string, string>(OurProducerWorkload.Options(cluster.BootstrapServers)))
        {
            for (long i = 0; i < records; i++) await producer.EnqueueAsync(Input, KeyedRecords.Key(i), KeyedRecords.Value(i));
            await producer.FlushAsync();
        }
        var pipeline = new ExactlyOncePipeline(cluster, workers, abortEvery) { Records = records };
        for (int i = 0; i < workers; i++) pipeline._slots[i] = pipeline.Start(i, generation: 0);
        return pipeline;
    }

    /// <summary>Kills member <paramref name="index"/> mid-run and starts its replacement with the same transactional id.</summary>
    public void KillAndReplace(int index)
    {
        Slot slot = _slots[index];
        slot.Stop.Cancel();
        Retire(slot);
        _slots[index] = Start(index, slot.Generation + 1);
    }

    /// <summary>Polls the log until every input record is visible in the output, replacing members that failed; fails after <paramref name="timeout"/>.</summary>
    public async Task<TransactionLogAudit> WaitUntilCopiedAsync(TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            for (int i = 0; i < _slots.Length; i++)
            {
                if (!_slots[i].Running.IsCompleted) continue;
                _failures.Add($"{_slots[i].Worker.Name}: {_slots[i].Running.Exception?.GetBaseException().Message ?? "ended"}");
                Retire(_slots[i]);
                _slots[i] = Start(i, _slots[i].Generation + 1);
            }
            TransactionLogAudit audit = TransactionLogAudit.Check(_cluster, Output, ChaosSettings.Partitions, Records);
            if (audit.Visible >= Records) return audit;
            if (Environment.TickCount64 > deadline) throw new TimeoutException($"Timed out with {Describe()}; output: {audit}");
            await Task.Delay(50);
        }
    }

    /// <summary>The members' transactions, replacements and failures in a line.</summary>
    public string Describe() =>
        $"{Records} input records, {Committed} transactions committed, {Aborted} aborted, {Replacements} members replaced"
        + (_failures.Count > 0 ? $"; failures: {string.Join("; ", _failures)}" : "");

    /// <summary>Stops every member (each closes: its consumer leaves the group, its producer aborts any open transaction).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (Slot slot in _slots)
        {
            if (slot is null) continue;
            slot.Stop.Cancel();
            _retired.Add(slot.Running);
        }
        foreach (Task task in _retired)
        {
            try
            {
                await task.WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (Exception e) when (e is OperationCanceledException or KafkaException)
            {
                // A member stopped mid-transaction, or was fenced by its replacement: expected here.
            }
        }
    }

    private Slot Start(int index, int generation)
    {
        var worker = new TransformWorker($"eos-member-{index}.{generation}", _cluster.BootstrapServers, $"eos-txn-{index}", _abortEvery);
        var stop = new CancellationTokenSource();
        if (generation > 0) Replacements++;
        return new Slot(worker, stop, Task.Run(() => worker.RunAsync(stop.Token)), generation);
    }

    private void Retire(Slot slot)
    {
        _retiredCommitted += slot.Worker.Committed;
        _retiredAborted += slot.Worker.Aborted;
        _retired.Add(slot.Running);
    }

    private sealed record Slot(TransformWorker Worker, CancellationTokenSource Stop, Task Running, int Generation);
}
