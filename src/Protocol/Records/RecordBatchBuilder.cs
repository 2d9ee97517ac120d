using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using KafkaNative.Protocol.Compression;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Protocol.Records;

/// <summary>
/// Builds one record batch (magic 2) at a time for the producer. Records are encoded straight
/// into a pooled buffer as they are appended; <see cref="Build"/> fills in the header, compresses
/// the records when <see cref="Compression"/> asks for it and computes the CRC-32C. Reuse one
/// builder: after <see cref="Reset"/> it keeps its buffers, so steady state allocates nothing.
/// Not thread-safe.
/// </summary>
public sealed class RecordBatchBuilder : IDisposable
{
    private readonly PooledBufferWriter _records;
    private PooledBufferWriter? _compressed;
    private int _count;
    private long _baseTimestamp;
    private long _maxTimestamp;

    /// <summary>Creates a builder whose buffer starts with room for <paramref name="initialCapacity"/> bytes.</summary>
    /// <param name="initialCapacity">Initial buffer size in bytes; it grows as needed.</param>
    public RecordBatchBuilder(int initialCapacity = 16 * 1024)
    {
        _records = new PooledBufferWriter(Math.Max(initialCapacity, RecordBatchLayout.HeaderSize));
        Reset();
    }

    internal IRecordCodec Codec { get; set; } = CodecsRecordCodec.Instance;

    /// <summary>Offset of the first record; producers leave it 0 and the broker assigns offsets.</summary>
    public long BaseOffset { get; set; }

    /// <summary>Leader epoch written in the header; producers write -1.</summary>
    public int PartitionLeaderEpoch { get; set; } = -1;

    /// <summary>Producer id of an idempotent or transactional producer; -1 for none.</summary>
    public long ProducerId { get; set; } = -1;

    /// <summary>Producer epoch; -1 for none.</summary>
    public short ProducerEpoch { get; set; } = -1;

    /// <summary>Sequence number of the first record; -1 for none.</summary>
    public int BaseSequence { get; set; } = -1;

    /// <summary>Marks the batch as part of a transaction.</summary>
    public bool IsTransactional { get; set; }

    /// <summary>Marks the batch as a control batch (brokers write these; useful for tests and tools).</summary>
    public bool IsControl { get; set; }

    /// <summary>Timestamp type written in the attributes; producers use <see cref="TimestampType.CreateTime"/>.</summary>
    public TimestampType TimestampType { get; set; } = TimestampType.CreateTime;

    /// <summary>Codec for the records section.</summary>
    public CompressionType Compression { get; set; }

    /// <summary>Codec-specific compression level; null for the codec's default.</summary>
    public int? CompressionLevel { get; set; }

    /// <summary>Records appended since the last <see cref="Reset"/>.</summary>
    public int Count => _count;

    /// <summary>Size of the batch so far, before compression, in bytes.</summary>
    public int SizeInBytes => _records.WrittenCount;

    /// <summary>Timestamp of the first record (the batch's base timestamp); -1 when empty.</summary>
    public long BaseTimestamp => _count == 0 ? -1 : _baseTimestamp;

    /// <summary>Largest timestamp appended so far; -1 when empty.</summary>
    public long MaxTimestamp => _count == 0 ? -1 : _maxTimestamp;

    /// <summary>
    /// Forgets the appended records and starts a new batch. Settings (producer id, compression
    /// and so on) are kept; buffers are kept for reuse.
    /// </summary>
    public void Reset()
    {
        _records.Clear();
        _records.GetSpan(RecordBatchLayout.HeaderSize)[..RecordBatchLayout.HeaderSize].Clear();
        _records.Advance(RecordBatchLayout.HeaderSize);
        _count = 0;
        _baseTimestamp = 0;
        _maxTimestamp = 0;
    }

    /// <summary>
    /// An upper bound of the bytes one record takes in a batch, before compression, for deciding
    /// whether it still fits.
    /// </summary>
    /// <param name="keyLength">Key length, or -1 for a null key.</param>
    /// <param name="valueLength">Value length, or -1 for a null value.</param>
    /// <param name="headers">The record's headers.</param>
    public static int EstimateRecordSize(int keyLength, int valueLength, ReadOnlySpan<RecordHeader> headers = default)
    {
        long size = Varint.MaxLength32 + 1 + Varint.MaxLength64 + Varint.MaxLength32
            + Varint.MaxLength32 + Math.Max(keyLength, 0) + Varint.MaxLength32 + Math.Max(valueLength, 0)
            + HeadersSize(headers);
        return (int)Math.Min(size, int.MaxValue);
    }

    /// <summary>
    /// Appends a record. Its offset delta is the number of records before it; its timestamp delta
    /// is relative to the first record's timestamp.
    /// </summary>
    /// <param name="timestamp">Record timestamp in milliseconds since the Unix epoch.</param>
    /// <param name="key">Key bytes (ignored when <paramref name="keyIsNull"/>).</param>
    /// <param name="value">Value bytes (ignored when <paramref name="valueIsNull"/>).</param>
    /// <param name="headers">Record headers.</param>
    /// <param name="keyIsNull">Writes a null key (length -1) instead of <paramref name="key"/>.</param>
    /// <param name="valueIsNull">Writes a null value (a tombstone) instead of <paramref name="value"/>.</param>
    /// <exception cref="ArgumentException">A header has a null key.</exception>
    public void Append(
        long timestamp,
        ReadOnlySpan<byte> key,
        ReadOnlySpan<byte> value,
        ReadOnlySpan<RecordHeader> headers = default,
        bool keyIsNull = false,
        bool valueIsNull = false)
    {
        if (_count == int.MaxValue) throw new InvalidOperationException("A record batch holds at most int.MaxValue records.");
        long baseTimestamp = _count == 0 ? timestamp : _baseTimestamp;
        long timestampDelta = timestamp - baseTimestamp;
        int offsetDelta = _count;
        int keyLength = keyIsNull ? -1 : key.Length;
        int valueLength = valueIsNull ? -1 : value.Length;

        long bodySize = 1
            + Varint.SizeOfSigned(timestampDelta)
            + Varint.SizeOfSigned(offsetDelta)
            + Varint.SizeOfSigned(keyLength) + Math.Max(keyLength, 0)
            + Varint.SizeOfSigned(valueLength) + Math.Max(valueLength, 0)
            + (headers.IsEmpty ? 1 : HeadersSize(headers));
        if (bodySize > int.MaxValue - Varint.MaxLength32 - _records.WrittenCount)
            throw new InvalidOperationException("The record does not fit in a record batch.");
        int recordSize = Varint.SizeOfSigned((int)bodySize) + (int)bodySize;

        Span<byte> destination = _records.GetSpan(recordSize);
        int position = Varint.WriteSigned(destination, (int)bodySize);
        destination[position++] = 0; // record attributes: unused
        position += Varint.WriteSigned(destination[position..], timestampDelta);
        position += Varint.WriteSigned(destination[position..], offsetDelta);
        position += Varint.WriteSigned(destination[position..], keyLength);
        if (keyLength > 0)
        {
            key.CopyTo(destination[position..]);
            position += keyLength;
        }
        position += Varint.WriteSigned(destination[position..], valueLength);
        if (valueLength > 0)
        {
            value.CopyTo(destination[position..]);
            position += valueLength;
        }
        position += Varint.WriteSigned(destination[position..], headers.Length);
        foreach (ref readonly RecordHeader header in headers)
        {
            int headerKeyLength = Encoding.UTF8.GetByteCount(header.Key);
            position += Varint.WriteSigned(destination[position..], headerKeyLength);
            position += Encoding.UTF8.GetBytes(header.Key, destination[position..]);
            if (header.Value is { } headerValue)
            {
                position += Varint.WriteSigned(destination[position..], headerValue.Length);
                headerValue.Span.CopyTo(destination[position..]);
                position += headerValue.Length;
            }
            else
            {
                position += Varint.WriteSigned(destination[position..], -1);
            }
        }
        _records.Advance(position);

        if (_count == 0)
        {
            _baseTimestamp = timestamp;
            _maxTimestamp = timestamp;
        }
        else if (timestamp > _maxTimestamp)
        {
            _maxTimestamp = timestamp;
        }
        _count++;
    }

    /// <summary>
    /// Finishes the batch: writes the header, compresses the records if asked, computes the CRC.
    /// The returned bytes stay valid until the next <see cref="Append"/>, <see cref="Build"/>,
    /// <see cref="Reset"/> or <see cref="Dispose"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No record was appended.</exception>
    public ReadOnlyMemory<byte> Build()
    {
        if (_count == 0) throw new InvalidOperationException("A record batch needs at least one record.");
        PooledBufferWriter batch = _records;
        if (Compression != CompressionType.None)
        {
            batch = _compressed ??= new PooledBufferWriter(_records.WrittenCount);
            batch.Clear();
            batch.GetSpan(RecordBatchLayout.HeaderSize)[..RecordBatchLayout.HeaderSize].Clear();
            batch.Advance(RecordBatchLayout.HeaderSize);
            Codec.Compress(Compression, _records.WrittenSpan[RecordBatchLayout.HeaderSize..], batch, CompressionLevel);
        }
        WriteHeader(batch.WrittenSpanForPatching);
        return batch.WrittenMemory;
    }

    /// <summary>Finishes the batch (see <see cref="Build"/>) and appends it to <paramref name="output"/>.</summary>
    /// <param name="output">Where the batch is written.</param>
    /// <returns>The bytes written.</returns>
    public int WriteTo(IBufferWriter<byte> output)
    {
        ReadOnlySpan<byte> batch = Build().Span;
        output.Write(batch);
        return batch.Length;
    }

    /// <summary>Returns the buffers to the pool.</summary>
    public void Dispose()
    {
        _records.Dispose();
        _compressed?.Dispose();
    }

    private void WriteHeader(Span<byte> batch)
    {
        short attributes = (short)((int)Compression & RecordBatchLayout.CompressionMask);
        if (TimestampType == TimestampType.LogAppendTime) attributes |= RecordBatchLayout.TimestampTypeFlag;
        if (IsTransactional) attributes |= RecordBatchLayout.TransactionalFlag;
        if (IsControl) attributes |= RecordBatchLayout.ControlFlag;

        BinaryPrimitives.WriteInt64BigEndian(batch, BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.LengthOffset..], batch.Length - RecordBatchLayout.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.PartitionLeaderEpochOffset..], PartitionLeaderEpoch);
        batch[RecordBatchLayout.MagicOffset] = 2;
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.LastOffsetDeltaOffset..], _count - 1);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseTimestampOffset..], _baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.MaxTimestampOffset..], _maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.ProducerIdOffset..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.ProducerEpochOffset..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BaseSequenceOffset..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.RecordCountOffset..], _count);
        uint crc = Crc32C.Compute(batch[RecordBatchLayout.AttributesOffset..]);
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchLayout.CrcOffset..], crc);
    }

    private static long HeadersSize(ReadOnlySpan<RecordHeader> headers)
    {
        long size = Varint.SizeOfSigned(headers.Length);
        foreach (ref readonly RecordHeader header in headers)
        {
            if (header.Key is null) throw new ArgumentException("A record header key cannot be null.", nameof(headers));
            int keyLength = Encoding.UTF8.GetByteCount(header.Key);
            int valueLength = header.Value is { } value ? value.Length : -1;
            size += Varint.SizeOfSigned(keyLength) + keyLength + Varint.SizeOfSigned(valueLength) + Math.Max(valueLength, 0);
        }
        return size;
    }
}
