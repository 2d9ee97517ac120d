using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Primitives;
using KafkaNative.Protocol.Records;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// One partition's batch: its encoded bytes and, per record, how to report the outcome. Built by a
/// broker producer's aggregator, sent by its flusher, and on a retriable failure handed back whole to
/// the partition producer, which sends it again unchanged (same sequence numbers, so the broker can
/// drop a copy it already has) once the partition has a leader again.
/// </summary>
internal sealed class ProducerBatch
{
    private readonly ProducerContext _context;
    private RecordEntry[] _entries;

    public ProducerBatch(ProducerContext context, PartitionState partition, int routingEpoch)
    {
        _context = context;
        Partition = partition;
        RoutingEpoch = routingEpoch;
        Serial = partition.NextBatchSerial++;
        Builder = context.Builders.Rent();
        _entries = [];
        FirstAppend = context.Now;
    }

    public PartitionState Partition { get; }
    public int RoutingEpoch { get; set; }
    public long Serial { get; }
    public RecordBatchBuilder Builder { get; private set; }
    public int Count { get; private set; }
    /// <summary><see cref="ProducerContext.Now"/> at the first record, for linger.</summary>
    public long FirstAppend { get; }
    /// <summary>The earliest delivery deadline of the batch's records.</summary>
    public long Deadline { get; private set; } = long.MaxValue;
    /// <summary>The encoded batch, once sealed.</summary>
    public ReadOnlyMemory<byte> Encoded { get; private set; }
    public bool IsSealed => !Encoded.IsEmpty;
    public int BaseSequence { get; private set; } = Sentinels.NoSequence;
    /// <summary>Sent at least once without a definite answer: it may be in the log.</summary>
    public bool MayBeWritten { get; set; }
    /// <summary>How the latest attempt failed: every send that does not succeed records its error; a batch handed back unsent keeps it.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>
    /// The latest attempt's NOT_LEADER_OR_FOLLOWER named a newer leader (KIP-951) and the cluster's cache took it: the
    /// retry may go to the cached leader without fresh metadata or a backoff. Goes with <see cref="LastError"/>.
    /// </summary>
    public bool LeaderHinted { get; private set; }

    /// <summary>Records how the latest attempt failed, and whether its answer named a newer leader the cache took.</summary>
    public void RecordAttemptError(Exception error, bool leaderHinted = false)
    {
        LastError = error;
        LeaderHinted = leaderHinted;
    }

    /// <summary>True when the latest attempt was answered with <paramref name="code"/>.</summary>
    public bool LatestAttemptFailedWith(ErrorCode code) =>
        LastError is KafkaNative.KafkaErrorException k && k.ErrorCode == code;
    public int SizeInBytes => Builder.SizeInBytes;

    /// <summary>Appends a record; the caller has checked it fits.</summary>
    public void Append(ref PendingRecord record)
    {
        Builder.Append(record.Timestamp, record.Key.Span, record.Value.Span, record.Headers, record.KeyIsNull, record.ValueIsNull);
        record.ReturnRented();
        if (Count == _entries.Length) Grow(record.Size);
        _entries[Count++] = new RecordEntry(record.Completion, record.Generation, record.Size, record.Timestamp);
        if (record.Deadline < Deadline) Deadline = record.Deadline;
    }

    /// <summary>Encodes the batch, numbering it for idempotence when <paramref name="producerId"/> is set, and marking it part of a transaction when <paramref name="transactional"/>.</summary>
    public void Seal(long producerId, short producerEpoch, int baseSequence, bool transactional = false)
    {
        Builder.IsTransactional = transactional;
        Builder.ProducerId = producerId;
        Builder.ProducerEpoch = producerEpoch;
        Builder.BaseSequence = baseSequence;
        BaseSequence = baseSequence;
        Encoded = Builder.Build();
    }

    /// <summary>Renumbers a sealed batch under a new producer epoch (after an epoch bump); rewrites the CRC.</summary>
    public void Restamp(long producerId, short producerEpoch, int baseSequence)
    {
        Span<byte> bytes = MemoryMarshal.AsMemory(Encoded).Span;
        BinaryPrimitives.WriteInt64BigEndian(bytes[43..], producerId);
        BinaryPrimitives.WriteInt16BigEndian(bytes[51..], producerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(bytes[53..], baseSequence);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[17..], Crc32C.Compute(bytes[21..]));
        BaseSequence = baseSequence;
        MayBeWritten = false;
    }

    /// <summary>The batch's records leave the broker producer's hands (done, or handed back).</summary>
    public void LeaveTransit() => Partition.LeaveTransit(Count);

    /// <summary>The batch's records enter a broker producer's hands again (resent).</summary>
    public void EnterTransit() => Interlocked.Add(ref Partition.InTransit, Count);

    /// <summary>Reports every record as written at consecutive offsets from <paramref name="baseOffset"/>.</summary>
    public void Succeed(long baseOffset, long logAppendTime)
    {
        string topic = Partition.Topic;
        int partition = Partition.Partition;
        Volatile.Write(ref Partition.SucceededSinceRoute, 1);
        for (int i = 0; i < Count; i++)
        {
            ref RecordEntry entry = ref _entries[i];
            long timestamp = logAppendTime >= 0 ? logAppendTime : entry.Timestamp;
            var result = new DeliveryResult(topic, partition, baseOffset < 0 ? Sentinels.NoOffset : baseOffset + i, DateTimeOffset.FromUnixTimeMilliseconds(timestamp));
            _context.Report(entry.Completion, result, null);
        }
        Finish();
    }

    /// <summary>Reports every record as failed with <paramref name="error"/>.</summary>
    public void Fail(KafkaException error)
    {
        var result = new DeliveryResult(Partition.Topic, Partition.Partition, Sentinels.NoOffset, default);
        for (int i = 0; i < Count; i++) _context.Report(_entries[i].Completion, result, error);
        Finish();
    }

    // Gives the budget, the flush counts and the pooled buffers back; the batch is done.
    private void Finish()
    {
        long bytes = 0;
        int runGeneration = 0, runLength = 0;
        for (int i = 0; i < Count; i++)
        {
            ref RecordEntry entry = ref _entries[i];
            bytes += entry.Size;
            if (runLength > 0 && entry.Generation != runGeneration)
            {
                _context.Flushes.Exit(runGeneration, runLength);
                runLength = 0;
            }
            runGeneration = entry.Generation;
            runLength++;
        }
        if (runLength > 0) _context.Flushes.Exit(runGeneration, runLength);
        _context.Budget.Release(bytes);

        if (_entries.Length > 0)
        {
            Array.Clear(_entries, 0, Count);
            ArrayPool<RecordEntry>.Shared.Return(_entries);
        }
        _entries = [];
        _context.Builders.Return(Builder);
        Builder = null!;
        Encoded = default;
        Count = 0;
    }

    // The first rent is sized for a full batch of records like the first one, so a batch usually
    // rents once; renting in doubling steps misses the pool when many batches grow at once.
    private void Grow(int recordSize)
    {
        int wanted = _entries.Length == 0
            ? Math.Clamp(_context.Options.BatchSize / Math.Max(recordSize, 1) + 1, 16, 1 << 16)
            : _entries.Length * 2;
        RecordEntry[] larger = ArrayPool<RecordEntry>.Shared.Rent(wanted);
        if (_entries.Length == 0)
        {
            _entries = larger;
            return;
        }
        Array.Copy(_entries, larger, Count);
        Array.Clear(_entries, 0, Count);
        ArrayPool<RecordEntry>.Shared.Return(_entries);
        _entries = larger;
    }

    public override string ToString() => $"batch {Serial} of {Partition} ({Count} records, seq {BaseSequence})";

    private readonly record struct RecordEntry(object? Completion, int Generation, int Size, long Timestamp);
}
