using System.Buffers.Binary;
using System.Threading.Channels;
using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Consumer.Fetching;

/// <summary>
/// Sarama's <c>partitionConsumer.responseFeeder()</c>: takes this partition's share of each fetch,
/// decodes it (skipping control batches, aborted transactions under read_committed, records before
/// the fetch offset; the position still moves past what it skipped, see
/// <see cref="MessageChunk{TKey, TValue}.EndOffset"/>), deserializes it into chunks (a corrupt record
/// becomes an error at its place in the stream, or a warning with <see cref="CorruptRecordHandling.Skip"/>), releases the
/// pooled fetch buffer and delivers the chunks through the partition's bounded queue. When the
/// application takes no chunk for <see cref="ConsumerOptions.MaxProcessingTime"/>, it tells the broker
/// consumer to drop the partition (so the broker's other partitions keep flowing), finishes delivering,
/// then has the dispatcher subscribe it again.
/// </summary>
internal sealed class PartitionFeeder<TKey, TValue> : SupervisedLoop
{
    private static readonly IReadOnlyList<RecordHeader> NoHeaders = [];

    private readonly PartitionConsumer<TKey, TValue> _partition;
    private readonly ILogger _logger;
    private readonly RecordBatchReader _reader;
    private readonly AbortedTransactionFilter _aborted = new();
    private readonly List<MessageChunk<TKey, TValue>> _decoded = [];
    private readonly IDeserializer<TKey> _keyDeserializer;
    private readonly IDeserializer<TValue> _valueDeserializer;
    private readonly DeserializationContext _keyContext;
    private readonly DeserializationContext _valueContext;
    private readonly bool _readCommitted;
    private readonly TimeSpan _maxProcessingTime;
    private readonly TimeProvider _time;
    private readonly bool _skipCorrupt;

    public PartitionFeeder(PartitionConsumer<TKey, TValue> partition, IDeserializer<TKey> keys, IDeserializer<TValue> values)
    {
        _partition = partition;
        ConsumerOptions options = partition.Context.Options;
        _logger = partition.Context.LoggerFactory.CreateLogger<PartitionFeeder<TKey, TValue>>();
        _reader = new RecordBatchReader { VerifyCrc = options.CheckCrcs };
        _keyDeserializer = keys;
        _valueDeserializer = values;
        _keyContext = new DeserializationContext(partition.Topic, partition.Partition, true);
        _valueContext = new DeserializationContext(partition.Topic, partition.Partition, false);
        _readCommitted = options.IsolationLevel == IsolationLevel.ReadCommitted;
        _maxProcessingTime = options.MaxProcessingTime;
        _time = options.TimeProvider;
        _skipCorrupt = options.CorruptRecordHandling == CorruptRecordHandling.Skip;
    }

    protected override async Task RunAsync(CancellationToken stop)
    {
        ChannelReader<FetchedPartition> input = _partition.Fed;
        while (await input.WaitToReadAsync(stop).ConfigureAwait(false))
        {
            while (input.TryRead(out FetchedPartition? fetched))
            {
                try
                {
                    await HandleAsync(fetched, stop).ConfigureAwait(false);
                }
                finally
                {
                    fetched.ReleaseBuffer();
                    // Normally acknowledged already; after a failure, drop the subscription and dispatch again.
                    if (!fetched.IsAcknowledged && !stop.IsCancellationRequested && _partition.ClearSubscription(fetched.Broker))
                    {
                        _partition.NeedsBackoff = true;
                        _partition.Trigger();
                    }
                    fetched.Acknowledge(_partition, unsubscribe: true);
                    Recycle();
                }
            }
        }
    }

    protected override void LogFault(Exception fault) => ConsumerLog.LoopFailed(_logger, fault, "feed", _partition.TopicPartition.ToString());

    protected override async ValueTask OnStoppedAsync()
    {
        _reader.Dispose();
        if (Fault is not null) await _partition.OnLoopFaultedAsync("feed", Fault).ConfigureAwait(false);
    }

    private async ValueTask HandleAsync(FetchedPartition fetched, CancellationToken cancellationToken)
    {
        if (fetched.Version != _partition.Version)
        {
            // A seek or pause since the fetch was sent: its data is stale.
            fetched.ReleaseBuffer();
            fetched.Acknowledge(_partition, unsubscribe: false);
            return;
        }
        var data = fetched.Data;
        _partition.UpdateWatermarks(data.HighWatermark, data.LastStableOffset, data.LogStartOffset);
        var error = (ErrorCode)data.ErrorCode;
        if (error == ErrorCode.None && data.DivergingEpoch is { EndOffset: >= 0 } diverging)
        {
            fetched.ReleaseBuffer();
            await OnDivergingAsync(fetched, diverging.Epoch, diverging.EndOffset, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (error == ErrorCode.None)
        {
            long next = Decode(fetched, out int lastEpoch);
            if (next > fetched.FetchOffset) CarryEndOffset(fetched.Version, next, lastEpoch);
            fetched.ReleaseBuffer();
            if (!_partition.TryAdvanceFetchOffset(fetched.Version, next, lastEpoch))
            {
                Recycle();
                fetched.Acknowledge(_partition, unsubscribe: false);
                return;
            }
            await DeliverAsync(fetched, cancellationToken).ConfigureAwait(false);
            return;
        }

        fetched.ReleaseBuffer();
        if (error == ErrorCode.OffsetOutOfRange)
        {
            ConsumerLog.OffsetReset(_logger, _partition.TopicPartition, fetched.FetchOffset, _partition.Context.Options.AutoOffsetReset.ToString());
            _partition.RequestPolicyReset(fetched.Version);
            Unsubscribe(fetched, trigger: true);
            return;
        }
        if (KafkaCluster.IsStaleMetadataError(error) || error.IsRetriable())
        {
            ConsumerLog.PartitionFetchError(_logger, _partition.TopicPartition, error.Name());
            // A leader hint the cache took is fresh: the dispatcher subscribes to the new leader at once.
            if (!fetched.LeaderHinted)
            {
                _partition.NeedsMetadataRefresh = true;
                _partition.NeedsBackoff = true;
            }
            Unsubscribe(fetched, trigger: true);
            return;
        }
        // Not retriable (authorization, corrupt log on the broker): report it; a Seek retries.
        Unsubscribe(fetched, trigger: false);
        await _partition.ReportErrorAsync(new KafkaConsumeException(error, _partition.TopicPartition,
            $"Fetching {_partition.TopicPartition} failed: {error.Name()} ({(short)error}): {error.Message()}"), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// KIP-595: the leader says the epoch of our last fetched batch ends before the fetch offset on it (no records come
    /// with that). Handled as a validation answer: the position moves back, or the application hears of the truncation.
    /// </summary>
    private async ValueTask OnDivergingAsync(FetchedPartition fetched, int epoch, long endOffset, CancellationToken cancellationToken)
    {
        try
        {
            PartitionDispatcher.ApplyEpochEnd(_logger, _partition, fetched.Version, fetched.FetchOffset, epoch, endOffset);
        }
        catch (KafkaLogTruncationException truncated)
        {
            Unsubscribe(fetched, trigger: false);
            await _partition.ReportErrorAsync(truncated, cancellationToken).ConfigureAwait(false);
            return;
        }
        // The next fetch goes from the new position (a pending reset holds it until the dispatcher resolves it).
        fetched.Acknowledge(_partition, unsubscribe: false);
    }

    private void Unsubscribe(FetchedPartition fetched, bool trigger)
    {
        _partition.ClearSubscription(fetched.Broker);
        fetched.Acknowledge(_partition, unsubscribe: true);
        if (trigger) _partition.Trigger();
    }

    private async ValueTask DeliverAsync(FetchedPartition fetched, CancellationToken cancellationToken)
    {
        ChannelWriter<MessageChunk<TKey, TValue>> output = _partition.Output;
        ConsumerContext context = _partition.Context;
        bool slow = false;
        for (int i = 0; i < _decoded.Count; i++)
        {
            MessageChunk<TKey, TValue> chunk = _decoded[i];
            if (!output.TryWrite(chunk))
            {
                context.SignalDataReady();
                if (!slow && !await WaitForRoomAsync(output, cancellationToken).ConfigureAwait(false))
                {
                    // The application is not taking this partition's messages: let the broker's other partitions go on.
                    slow = true;
                    ConsumerLog.SlowPartition(_logger, _partition.TopicPartition, _maxProcessingTime);
                    Unsubscribe(fetched, trigger: false);
                }
                await output.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
            }
            _decoded[i] = null!;
            context.SignalDataReady();
        }
        _decoded.Clear();
        if (slow) _partition.Trigger();
        else fetched.Acknowledge(_partition, unsubscribe: false);
    }

    private async ValueTask<bool> WaitForRoomAsync(ChannelWriter<MessageChunk<TKey, TValue>> output, CancellationToken cancellationToken)
    {
        ValueTask<bool> wait = output.WaitToWriteAsync(cancellationToken);
        if (wait.IsCompleted) return true;
        Task<bool> room = wait.AsTask();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task delay = Task.Delay(_maxProcessingTime, _time, timeout.Token);
        Task winner = await Task.WhenAny(room, delay).ConfigureAwait(false);
        timeout.Cancel();
        cancellationToken.ThrowIfCancellationRequested();
        return winner == room;
    }

    private void Recycle()
    {
        foreach (MessageChunk<TKey, TValue>? chunk in _decoded)
        {
            if (chunk is not null) _partition.ReturnChunk(chunk);
        }
        _decoded.Clear();
    }

    /// <summary>
    /// Decodes the share into <see cref="_decoded"/>; returns the next offset to fetch, and the leader epoch of the
    /// last batch passed (-1 when none was), the fetch's LastFetchedEpoch from then on.
    /// </summary>
    private long Decode(FetchedPartition fetched, out int lastEpoch)
    {
        long fetchOffset = fetched.FetchOffset;
        long next = fetchOffset;
        lastEpoch = -1;
        ReadOnlyMemory<byte> records = fetched.Data.Records ?? ReadOnlyMemory<byte>.Empty;
        if (records.IsEmpty) return next;
        if (_readCommitted) _aborted.Reset(fetched.Data.AbortedTransactions);
        int version = fetched.Version;

        RecordBatchEnumerator batches = _reader.Read(records);
        while (true)
        {
            int start = batches.BytesConsumed;
            bool moved;
            try
            {
                moved = batches.MoveNext();
            }
            catch (KafkaProtocolException error)
            {
                // A corrupt batch header or checksum: continue past the batch, and read nothing more of this response.
                ReadOnlySpan<byte> raw = records.Span[start..];
                long skipTo = SkipTarget(raw, next);
                OnCorrupt(version, new KafkaCorruptRecordException(_partition.TopicPartition, next, skipTo,
                    $"{_partition.TopicPartition}: the batch at offset {next} is corrupt: {error.Message}", error) { RawBatch = RawBatch(raw) });
                return skipTo;
            }
            if (!moved) break;

            RecordBatch batch = batches.Current;
            RecordBatchHeader header = batch.Header;
            bool magic2 = header.Magic >= 2;
            if (magic2 && header.NextOffset <= fetchOffset) continue;
            if (magic2) lastEpoch = header.PartitionLeaderEpoch;
            if (header.IsControl)
            {
                if (_readCommitted && batch.ControlType == ControlRecordType.Abort) _aborted.OnAbortMarker(header.ProducerId, header.BaseOffset);
                next = Math.Max(next, header.NextOffset);
                continue;
            }
            if (_readCommitted && header.IsTransactional && _aborted.IsActive && _aborted.IsAborted(header.ProducerId, header.LastOffset))
            {
                next = Math.Max(next, header.NextOffset);
                continue;
            }
            try
            {
                foreach (Record record in batch)
                {
                    long offset = record.Offset;
                    if (offset < fetchOffset || record.IsControl) continue;
                    Append(version, record, header.PartitionLeaderEpoch);
                    next = offset + 1;
                }
            }
            catch (KafkaProtocolException error)
            {
                long skipTo = Math.Max(next, header.NextOffset);
                OnCorrupt(version, new KafkaCorruptRecordException(_partition.TopicPartition, next, skipTo,
                    $"{_partition.TopicPartition}: a record of the batch at offset {header.BaseOffset} does not decode: {error.Message}", error)
                {
                    RawBatch = records.Span[start..batches.BytesConsumed].ToArray(),
                });
                next = skipTo;
                continue;
            }
            if (magic2) next = Math.Max(next, header.NextOffset);
        }
        return next;
    }

    /// <summary>
    /// The position follows the fetch position past records the application never sees (control batches,
    /// aborted transactions): the last chunk carries where the fetch ended, or, when every record was
    /// skipped, an empty chunk does, so the position moves only once the messages before are consumed.
    /// </summary>
    private void CarryEndOffset(int version, long next, int epoch)
    {
        MessageChunk<TKey, TValue> last;
        if (_decoded.Count > 0)
        {
            last = _decoded[^1];
        }
        else
        {
            last = _partition.RentChunk();
            last.Version = version;
            _decoded.Add(last);
        }
        last.EndOffset = next;
        last.EndEpoch = epoch;
    }

    /// <summary>Puts a corrupt record's error at its place in the stream, or logs and skips it.</summary>
    private void OnCorrupt(int version, KafkaCorruptRecordException error)
    {
        if (_skipCorrupt)
        {
            ConsumerLog.CorruptRecordSkipped(_logger, error, _partition.TopicPartition, error.Offset, error.NextOffset);
            return;
        }
        MessageChunk<TKey, TValue> chunk = CurrentChunk(version);
        chunk.Error = error;
        chunk.ErrorNextOffset = error.NextOffset;
    }

    /// <summary>A copy of a corrupt batch, as long as its header says (or as much as is there).</summary>
    private static byte[] RawBatch(ReadOnlySpan<byte> batch)
    {
        const int LengthFieldEnd = 12;
        if (batch.Length < LengthFieldEnd) return batch.ToArray();
        long stated = LengthFieldEnd + (long)BinaryPrimitives.ReadInt32BigEndian(batch[8..]);
        return batch[..(int)Math.Clamp(stated, LengthFieldEnd, batch.Length)].ToArray();
    }

    /// <summary>The offset after a corrupt batch, read from its raw header as far as it is there.</summary>
    private static long SkipTarget(ReadOnlySpan<byte> batch, long next)
    {
        if (batch.Length < 17) return next + 1;
        long baseOffset = BinaryPrimitives.ReadInt64BigEndian(batch);
        byte magic = batch[16];
        long last = magic == 2 && batch.Length >= 27 ? baseOffset + BinaryPrimitives.ReadInt32BigEndian(batch[23..]) : baseOffset;
        return last >= next ? last + 1 : next + 1;
    }

    private void Append(int version, in Record record, int leaderEpoch)
    {
        MessageChunk<TKey, TValue> chunk = CurrentChunk(version);
        TKey key;
        TValue value;
        try
        {
            key = _keyDeserializer.Deserialize(record.KeySpan, record.IsKeyNull, in _keyContext);
            value = _valueDeserializer.Deserialize(record.ValueSpan, record.IsValueNull, in _valueContext);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            OnCorrupt(version, new KafkaCorruptRecordException(_partition.TopicPartition, record.Offset, record.Offset + 1,
                $"Deserializing the message at {_partition.TopicPartition}@{record.Offset} failed: {error.Message}", error)
            {
                RawKey = record.IsKeyNull ? null : record.KeySpan.ToArray(),
                RawValue = record.IsValueNull ? null : record.ValueSpan.ToArray(),
            });
            return;
        }
        IReadOnlyList<RecordHeader> headers = NoHeaders;
        RecordHeaders recordHeaders = record.Headers;
        if (recordHeaders.Count > 0)
        {
            var list = new RecordHeader[recordHeaders.Count];
            int i = 0;
            foreach (RecordHeaderView header in recordHeaders)
                list[i++] = new RecordHeader(header.GetKey(), header.Value is { } headerValue ? headerValue.ToArray() : (ReadOnlyMemory<byte>?)null);
            headers = list;
        }
        chunk.Items[chunk.Count++] = new ConsumeResult<TKey, TValue>(
            _partition.Topic, _partition.Partition, record.Offset, DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(record.Timestamp, -62135596800000)),
            key, value, headers, leaderEpoch);
    }

    private MessageChunk<TKey, TValue> CurrentChunk(int version)
    {
        if (_decoded.Count > 0)
        {
            MessageChunk<TKey, TValue> last = _decoded[^1];
            if (!last.IsFull && last.Error is null) return last;
        }
        MessageChunk<TKey, TValue> chunk = _partition.RentChunk();
        chunk.Version = version;
        _decoded.Add(chunk);
        return chunk;
    }
}
