namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// Counts undelivered records by flush generation so that a flush waits for the records handed over
/// before it began, not for ones that keep arriving after. Flushes take turns, so two generations
/// (the one being flushed and the one filling) are all that can be live at once.
/// </summary>
internal sealed class FlushTracker
{
    private readonly long[] _outstanding = new long[2];
    private readonly SemaphoreSlim _turn = new(1, 1);
    private int _generation;
    private TaskCompletionSource? _drained;
    private int _drainingGeneration = -1;

    /// <summary>Records not yet delivered or failed.</summary>
    public long Outstanding => Interlocked.Read(ref _outstanding[0]) + Interlocked.Read(ref _outstanding[1]);

    /// <summary>
    /// True while a flush waits: batches then go out without lingering, including those of records that
    /// reach a broker producer only after the flush began (still waiting for metadata then), as the
    /// Java client sends every batch while a flush is in progress.
    /// </summary>
    public bool InProgress => Volatile.Read(ref _drainingGeneration) >= 0;

    /// <summary>Counts a record in; returns its generation.</summary>
    public int Enter()
    {
        int generation = Volatile.Read(ref _generation);
        Interlocked.Increment(ref _outstanding[generation & 1]);
        return generation;
    }

    /// <summary>Counts <paramref name="count"/> records of <paramref name="generation"/> out.</summary>
    public void Exit(int generation, int count = 1)
    {
        if (Interlocked.Add(ref _outstanding[generation & 1], -count) != 0) return;
        if (Volatile.Read(ref _drainingGeneration) == generation) Volatile.Read(ref _drained)?.TrySetResult();
    }

    /// <summary>Waits until every record counted in before this call is delivered or failed.</summary>
    public async Task WaitAsync(Action startSending, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _drained, drained);
            int generation = Interlocked.Increment(ref _generation) - 1;
            Volatile.Write(ref _drainingGeneration, generation);
            // Records that lingered in batches should go now rather than at the end of their linger.
            startSending();
            if (Interlocked.Read(ref _outstanding[generation & 1]) == 0) drained.TrySetResult();
            await drained.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _drainingGeneration, -1);
            _turn.Release();
        }
    }
}
