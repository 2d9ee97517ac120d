using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using KafkaNative.Client;
using KafkaNative.Consumer;
using KafkaNative.Consumer.Fetching;

namespace KafkaNative;

/// <summary>The consume loops: the merged <c>await foreach</c> reader and the handler per partition.</summary>
public sealed partial class KafkaConsumer<TKey, TValue>
{
    /// <summary>
    /// Reads messages from every assigned partition, one partition's chunk at a time in turn, as they
    /// arrive; waits while there are none.
    /// </summary>
    /// <remarks>
    /// The message handed out last counts as consumed (its offset + 1 is stored for the next commit, or the
    /// offset past the transaction markers and skipped aborted transactions right after it) when
    /// the loop asks for the next one, or when it exits by <c>break</c>, <c>return</c> or disposal of the
    /// enumerator; an exception thrown out of the loop body also disposes the enumerator, so that message
    /// counts as consumed too, as with Confluent's default enable.auto.offset.store. To count only what
    /// was processed, turn <see cref="ConsumerOptions.EnableAutoOffsetStore"/> off and call
    /// <see cref="StoreOffset(ConsumeResult{TKey, TValue})"/> after processing each message.
    /// With tracing on, each message has a <c>process</c> activity (child of the producer's <c>send</c> span)
    /// from hand-out until the loop asks for the next; an iterator cannot make it current in the loop body,
    /// so a handler that starts spans of its own should use <see cref="ConsumeAsync(Func{ConsumeResult{TKey, TValue}, CancellationToken, ValueTask}, CancellationToken)"/>,
    /// which runs it inside the activity, or parent them with <see cref="KafkaTelemetry.TryExtractTraceContext"/>.
    /// </remarks>
    /// <param name="cancellationToken">Ends the enumeration (with <see cref="OperationCanceledException"/>).</param>
    /// <exception cref="KafkaConsumeException">
    /// A partition cannot be read (reset policy Error, authorization, a topic missing longer than
    /// <see cref="ConsumerOptions.TopicMetadataPropagationMax"/>), a record is corrupt
    /// (<see cref="KafkaCorruptRecordException"/>, unless <see cref="ConsumerOptions.CorruptRecordHandling"/> skips it),
    /// or the group fenced this member. Except for fencing, reading again continues after the error.
    /// </exception>
    /// <exception cref="KafkaConnectionException">No broker of the cluster could be reached yet (bad bootstrap address, cluster down); the consumer keeps trying.</exception>
    /// <exception cref="MaxPollIntervalExceededException">The member left its group because the application stayed away too long; reading again rejoins.</exception>
    /// <exception cref="InvalidOperationException">Another consume loop is running.</exception>
    public async IAsyncEnumerable<ConsumeResult<TKey, TValue>> ConsumeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        EnterConsume();
        try
        {
            while (true)
            {
                if (TryNextRun(1, cancellationToken, out ConsumeBatch<TKey, TValue> run))
                {
                    ConsumerTelemetry.CountConsumed(run.TopicPartition, _options.GroupId, 1);
                    // Not current for the loop body (an iterator cannot flow it there); it ends when the loop asks for the next message.
                    _processing = ConsumerTelemetry.StartProcess(run[0], _options.GroupId);
                    yield return run[0];
                }
                else await WaitForDataAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Leaving the loop (break, return, disposal) consumes the message handed out last.
            MarkPending();
            Volatile.Write(ref _consuming, 0);
        }
    }

    /// <summary>
    /// Reads messages a partition's run at a time: each batch holds the consecutive messages of one
    /// partition that have arrived (up to 256), partitions in turn. For applications that write or
    /// acknowledge in bulk; no object is allocated per batch.
    /// </summary>
    /// <remarks>
    /// A batch is valid until the loop asks for the next one, and its messages count as consumed then
    /// (or when the loop exits), as for <see cref="ConsumeAsync(CancellationToken)"/>; with
    /// <see cref="ConsumerOptions.EnableAutoOffsetStore"/> off, store <see cref="ConsumeBatch{TKey, TValue}.LastOffset"/> + 1 yourself.
    /// </remarks>
    /// <param name="cancellationToken">Ends the enumeration (with <see cref="OperationCanceledException"/>).</param>
    /// <exception cref="KafkaConsumeException">As for <see cref="ConsumeAsync(CancellationToken)"/>.</exception>
    /// <exception cref="KafkaConnectionException">No broker of the cluster could be reached yet.</exception>
    /// <exception cref="MaxPollIntervalExceededException">The member left its group because the application stayed away too long.</exception>
    /// <exception cref="InvalidOperationException">Another consume loop is running.</exception>
    public async IAsyncEnumerable<ConsumeBatch<TKey, TValue>> ConsumeBatchesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        EnterConsume();
        try
        {
            DateTimeOffset asked = ConsumerTelemetry.ReceiveStarted(_options.TimeProvider);
            while (true)
            {
                if (TryNextRun(MessageChunk<TKey, TValue>.Capacity, cancellationToken, out ConsumeBatch<TKey, TValue> run))
                {
                    ConsumerTelemetry.Received(run, _options.GroupId, asked, _options.TimeProvider);
                    yield return run;
                    asked = ConsumerTelemetry.ReceiveStarted(_options.TimeProvider);
                }
                else await WaitForDataAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            MarkPending();
            Volatile.Write(ref _consuming, 0);
        }
    }

    /// <summary>
    /// One step of the merged reader: marks what was handed out last as consumed, then takes up to
    /// <paramref name="max"/> messages of the current chunk (partitions in turn), throwing an error the
    /// stream carries at its place. False when no partition has messages: wait for data, then call again.
    /// </summary>
    private bool TryNextRun(int max, CancellationToken cancellationToken, out ConsumeBatch<TKey, TValue> run)
    {
        cancellationToken.ThrowIfCancellationRequested();
        MarkPending();
        _poll.Polled();
        ThrowIfFatalOrDisposed();
        while (true)
        {
            if (_chunk is null && !TryTakeChunk())
            {
                _context.ResetDataReady();
                if (!TryTakeChunk())
                {
                    run = default;
                    return false;
                }
            }
            MessageChunk<TKey, TValue> chunk = _chunk!;
            PartitionConsumer<TKey, TValue> partition = _chunkPartition!;
            if (chunk.Version != partition.Version || partition.IsStopped || partition.IsRevoking)
            {
                DropChunk();
                continue;
            }
            if (chunk.Next < chunk.Count)
            {
                int count = Math.Min(max, chunk.Count - chunk.Next);
                run = new ConsumeBatch<TKey, TValue>(partition.TopicPartition, chunk.Items, chunk.Next, count);
                chunk.Next += count;
                _markPartition = partition;
                _markVersion = chunk.Version;
                _markOffset = run.LastOffset + 1;
                _markEpoch = chunk.Items[chunk.Next - 1].LeaderEpoch;
                // The chunk's last message: consuming it also moves past the records skipped after it (markers, aborted transactions).
                if (chunk.Next == chunk.Count && chunk.Error is null && chunk.EndOffset > _markOffset)
                {
                    _markOffset = chunk.EndOffset;
                    _markEpoch = chunk.EndEpoch;
                }
                partition.InHand.Take();
                return true;
            }
            Exception? error = chunk.Error;
            long errorNext = chunk.ErrorNextOffset, end = chunk.EndOffset;
            int endEpoch = chunk.EndEpoch;
            int version = chunk.Version;
            DropChunk();
            if (error is not null)
            {
                if (errorNext >= 0 && _options.EnableAutoOffsetStore) partition.MarkConsumed(version, Math.Max(errorNext, end), -1);
                throw error;
            }
            // A fetch whose records were all skipped: its end is the position now that the messages before it are consumed.
            if (end >= 0 && _options.EnableAutoOffsetStore) partition.MarkConsumed(version, end, endEpoch);
        }
    }

    private async ValueTask WaitForDataAsync(CancellationToken cancellationToken)
    {
        _poll.BeginWait();
        try
        {
            await _context.WaitDataReadyAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _poll.EndWait();
        }
    }

    /// <summary>
    /// Runs <paramref name="handler"/> for every message, each partition in its own task (messages of
    /// one partition in order, partitions in parallel), until cancelled. A slow handler on one
    /// partition does not hold up the others. A message counts as consumed when its handler returns
    /// (unless <see cref="ConsumerOptions.EnableAutoOffsetStore"/> is off). For <see cref="ConsumerOptions.MaxPollInterval"/>,
    /// the application is present while any partition's task waits for messages or starts a handler.
    /// </summary>
    /// <param name="handler">Handles one message.</param>
    /// <param name="cancellationToken">Stops consuming.</param>
    /// <exception cref="KafkaConsumeException">A partition cannot be read, a record is corrupt, or the group fenced this member (as for the enumerator form).</exception>
    /// <exception cref="KafkaConnectionException">No broker of the cluster could be reached yet.</exception>
    /// <exception cref="MaxPollIntervalExceededException">The member left its group because the application stayed away too long.</exception>
    /// <exception cref="InvalidOperationException">Another consume loop is running.</exception>
    public async Task ConsumeAsync(Func<ConsumeResult<TKey, TValue>, CancellationToken, ValueTask> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        EnterConsume();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var workers = new Dictionary<PartitionConsumer<TKey, TValue>, Task>();
        try
        {
            while (true)
            {
                _poll.Polled();
                ThrowIfFatalOrDisposed();
                cancellationToken.ThrowIfCancellationRequested();
                _assignmentChanged.Reader.TryRead(out _);
                foreach (PartitionConsumer<TKey, TValue> partition in Volatile.Read(ref _active))
                {
                    if (!workers.ContainsKey(partition)) workers[partition] = Task.Run(() => RunPartitionAsync(partition, handler, stop.Token));
                }
                foreach ((PartitionConsumer<TKey, TValue> partition, Task worker) in workers.Where(w => w.Value.IsCompleted).ToList())
                {
                    workers.Remove(partition);
                    await worker.ConfigureAwait(false);
                }
                Task changed = _assignmentChanged.Reader.WaitToReadAsync(stop.Token).AsTask();
                // Without partitions the application waits for an assignment: present, as far as MaxPollInterval goes.
                bool idle = workers.Count == 0;
                if (idle) _poll.BeginWait();
                try
                {
                    await Task.WhenAny(workers.Values.Append(changed)).ConfigureAwait(false);
                }
                finally
                {
                    if (idle) _poll.EndWait();
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (Task worker in workers.Values)
            {
                try
                {
                    await worker.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopping.
                }
            }
            Volatile.Write(ref _consuming, 0);
        }
    }

    private async Task RunPartitionAsync(PartitionConsumer<TKey, TValue> partition, Func<ConsumeResult<TKey, TValue>, CancellationToken, ValueTask> handler, CancellationToken cancellationToken)
    {
        ChannelReader<MessageChunk<TKey, TValue>> messages = partition.Messages;
        while (await WaitForMessagesAsync(messages, cancellationToken).ConfigureAwait(false))
        {
            while (messages.TryRead(out MessageChunk<TKey, TValue>? chunk))
            {
                try
                {
                    int version = chunk.Version;
                    bool handled = true;
                    for (int i = 0; i < chunk.Count; i++)
                    {
                        partition.InHand.Take();
                        try
                        {
                            // Checked after Take, so a revocation either sees this message in hand or this loop sees the revocation.
                            if (partition.Version != version || partition.IsStopped || partition.IsRevoking)
                            {
                                handled = false;
                                break;
                            }
                            ConsumeResult<TKey, TValue> item = chunk.Items[i];
                            _poll.Polled();
                            ConsumerTelemetry.CountConsumed(partition.TopicPartition, _options.GroupId, 1);
                            // Inside the record's process activity while something listens; else straight, at no extra cost.
                            Activity? activity = ConsumerTelemetry.StartProcess(item, _options.GroupId);
                            if (activity is null) await handler(item, cancellationToken).ConfigureAwait(false);
                            else await HandleTracedAsync(handler, item, activity, cancellationToken).ConfigureAwait(false);
                            if (_options.EnableAutoOffsetStore) partition.MarkConsumed(version, item.Offset + 1, item.LeaderEpoch);
                        }
                        finally
                        {
                            partition.InHand.Release();
                        }
                    }
                    // A revocation or seek cut the chunk short: what follows, its error too, is no longer this loop's.
                    if (handled && chunk.Error is { } error && partition.Version == version)
                    {
                        if (chunk.ErrorNextOffset >= 0 && _options.EnableAutoOffsetStore) partition.MarkConsumed(version, Math.Max(chunk.ErrorNextOffset, chunk.EndOffset), -1);
                        throw error;
                    }
                    // Past the records skipped after the chunk's last message (markers, aborted transactions).
                    if (handled && chunk.EndOffset >= 0 && _options.EnableAutoOffsetStore) partition.MarkConsumed(version, chunk.EndOffset, chunk.EndEpoch);
                }
                finally
                {
                    partition.ReturnChunk(chunk);
                }
            }
        }
    }

    /// <summary>Runs the handler inside the record's <c>process</c> activity, which it ends with the outcome.</summary>
    private static async ValueTask HandleTracedAsync(Func<ConsumeResult<TKey, TValue>, CancellationToken, ValueTask> handler, ConsumeResult<TKey, TValue> item, Activity activity, CancellationToken cancellationToken)
    {
        try
        {
            await handler(item, cancellationToken).ConfigureAwait(false);
            ConsumerTelemetry.StopProcess(activity, null);
        }
        catch (Exception error)
        {
            ConsumerTelemetry.StopProcess(activity, error);
            throw;
        }
    }

    private async ValueTask<bool> WaitForMessagesAsync(ChannelReader<MessageChunk<TKey, TValue>> messages, CancellationToken cancellationToken)
    {
        _poll.BeginWait();
        try
        {
            return await messages.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _poll.EndWait();
        }
    }

    private void EnterConsume()
    {
        ObjectDisposedException.ThrowIf(_disposeState != 0, this);
        if (Interlocked.Exchange(ref _consuming, 1) != 0) throw new InvalidOperationException("Another consume loop is running on this consumer.");
    }

    private void ThrowIfFatalOrDisposed()
    {
        if (Volatile.Read(ref _fatal) is { } fatal) throw fatal;
        ObjectDisposedException.ThrowIf(_disposeState != 0, this);
        if (Interlocked.Exchange(ref _pendingError, null) is { } error) throw error;
    }

    private void MarkPending()
    {
        ConsumerTelemetry.StopProcess(_processing, null);
        _processing = null;
        if (_markPartition is null) return;
        if (_options.EnableAutoOffsetStore) _markPartition.MarkConsumed(_markVersion, _markOffset, _markEpoch);
        _markPartition.InHand.Release();
        _markPartition = null;
    }

    private bool TryTakeChunk()
    {
        PartitionConsumer<TKey, TValue>[] active = Volatile.Read(ref _active);
        for (int i = 0; i < active.Length; i++)
        {
            PartitionConsumer<TKey, TValue> partition = active[(_cursor + i) % active.Length];
            if (partition.Messages.TryRead(out MessageChunk<TKey, TValue>? chunk))
            {
                _cursor = (_cursor + i + 1) % active.Length;
                _chunk = chunk;
                _chunkPartition = partition;
                return true;
            }
        }
        return false;
    }

    private void DropChunk()
    {
        if (_chunk is not null) _chunkPartition!.ReturnChunk(_chunk);
        _chunk = null;
        _chunkPartition = null;
    }
}
