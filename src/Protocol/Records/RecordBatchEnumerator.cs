using System.Buffers.Binary;
using KafkaNative.Protocol.Compression;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Protocol.Records;

/// <summary>
/// Enumerates the batches of a records buffer (see <see cref="RecordBatchReader.Read"/>). Each
/// batch's framing, header and checksum are validated as it is reached; its records are
/// validated as they are enumerated.
/// </summary>
public ref struct RecordBatchEnumerator
{
    private readonly RecordBatchReader _reader;
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly ReadOnlySpan<byte> _span;
    private readonly long _streamOffset;
    private int _position;
    private RecordBatch _current;

    internal RecordBatchEnumerator(RecordBatchReader reader, ReadOnlyMemory<byte> records, long streamOffset)
    {
        _reader = reader;
        _memory = records;
        _span = records.Span;
        _streamOffset = streamOffset;
        _position = 0;
        _current = default;
    }

    /// <summary>The current batch.</summary>
    public readonly RecordBatch Current => _current;

    /// <summary>Bytes of the input taken by the complete batches enumerated so far.</summary>
    public readonly int BytesConsumed => _position;

    /// <summary>True once enumeration stopped at a partial batch at the end of the input.</summary>
    public bool EndedWithPartialBatch { readonly get; private set; }

    /// <summary>Returns this enumerator, so it can be used in <c>foreach</c>.</summary>
    public readonly RecordBatchEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next complete batch.</summary>
    /// <exception cref="KafkaProtocolException">The batch is malformed or its checksum does not match.</exception>
    public bool MoveNext()
    {
        ReadOnlySpan<byte> span = _span;
        int start = _position;
        int remaining = span.Length - start;
        if (remaining == 0 || EndedWithPartialBatch) return false;
        if (remaining < RecordBatchLayout.LogOverhead) return Partial(start, "baseOffset", remaining, 0);

        int length = BinaryPrimitives.ReadInt32BigEndian(span[(start + RecordBatchLayout.LengthOffset)..]);
        if (length < RecordBatchLayout.LegacyV0MinSize)
            throw Error($"Batch length {length} is smaller than the smallest batch or message", "batchLength", start + RecordBatchLayout.LengthOffset);
        if (length > remaining - RecordBatchLayout.LogOverhead)
            return Partial(start + RecordBatchLayout.LengthOffset, "batchLength", remaining, length);

        byte magic = span[start + RecordBatchLayout.MagicOffset];
        int end = start + RecordBatchLayout.LogOverhead + length;
        _current = magic switch
        {
            2 => ReadBatch(span, start, end, length),
            0 or 1 => ReadLegacy(span, start, end),
            _ => throw Error($"Unknown magic {magic}", "magic", start + RecordBatchLayout.MagicOffset),
        };
        _position = end;
        return true;
    }

    private readonly RecordBatch ReadBatch(ReadOnlySpan<byte> span, int start, int end, int length)
    {
        if (length < RecordBatchLayout.MinBatchLength)
            throw Error($"Batch length {length} is smaller than the {RecordBatchLayout.MinBatchLength} bytes of a magic 2 header", "batchLength", start + RecordBatchLayout.LengthOffset);
        ReadOnlySpan<byte> batch = span[start..end];

        uint crc = BinaryPrimitives.ReadUInt32BigEndian(batch[RecordBatchLayout.CrcOffset..]);
        if (_reader.VerifyCrc)
        {
            uint computed = Crc32C.Compute(batch[RecordBatchLayout.AttributesOffset..]);
            if (computed != crc)
                throw Error($"Record batch CRC mismatch: stored 0x{crc:X8}, computed 0x{computed:X8}", "crc", start + RecordBatchLayout.CrcOffset);
        }

        short attributes = BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchLayout.AttributesOffset..]);
        int compression = attributes & RecordBatchLayout.CompressionMask;
        if (compression > (int)CompressionType.Zstd)
            throw Error($"Unknown compression type {compression}", "attributes", start + RecordBatchLayout.AttributesOffset);

        int count = BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.RecordCountOffset..]);
        int recordsLength = length - RecordBatchLayout.MinBatchLength;
        if (count < 0) throw Error($"Record count {count} is negative", "recordsCount", start + RecordBatchLayout.RecordCountOffset);
        if (compression == 0 && (long)count * RecordBatchLayout.MinRecordSize > recordsLength)
            throw Error($"Record count {count} cannot fit in the batch's {recordsLength} bytes of records", "recordsCount", start + RecordBatchLayout.RecordCountOffset);

        var header = new RecordBatchHeader(
            baseOffset: BinaryPrimitives.ReadInt64BigEndian(batch),
            batchLength: length,
            partitionLeaderEpoch: BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.PartitionLeaderEpochOffset..]),
            magic: 2,
            crc: crc,
            attributes: attributes,
            lastOffsetDelta: BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.LastOffsetDeltaOffset..]),
            baseTimestamp: BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchLayout.BaseTimestampOffset..]),
            maxTimestamp: BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchLayout.MaxTimestampOffset..]),
            producerId: BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchLayout.ProducerIdOffset..]),
            producerEpoch: BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchLayout.ProducerEpochOffset..]),
            baseSequence: BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.BaseSequenceOffset..]),
            recordCount: count);

        bool compressed = compression != 0;
        bool logAppendTime = header.TimestampType == TimestampType.LogAppendTime;
        int recordsStart = start + RecordBatchLayout.HeaderSize;
        return new RecordBatch(
            _reader, header, _memory[start..end], _memory[recordsStart..end],
            needsDecompression: compressed, decompressed: false, offsetBase: 0,
            hasTimestampOverride: logAppendTime, timestampOverride: header.MaxTimestamp,
            errorBase: _streamOffset + (compressed ? start : recordsStart));
    }

    private readonly RecordBatch ReadLegacy(ReadOnlySpan<byte> span, int start, int end)
    {
        var errors = new RecordErrorContext(_streamOffset, decompressed: false);
        LegacyMessage wrapper = LegacyMessage.Parse(span[..end], start, _reader.VerifyCrc, errors);
        bool logAppendTime = wrapper.LogAppendTime;

        if (wrapper.Compression == 0)
        {
            var single = new RecordBatchHeader(
                wrapper.Offset, wrapper.Size, -1, wrapper.Magic, wrapper.Crc, wrapper.Attributes,
                lastOffsetDelta: 0, wrapper.Timestamp, wrapper.Timestamp, -1, -1, -1, recordCount: 1);
            return new RecordBatch(
                _reader, single, _memory[start..end], _memory[start..end],
                needsDecompression: false, decompressed: false, offsetBase: 0,
                hasTimestampOverride: false, timestampOverride: 0, errorBase: _streamOffset + start);
        }

        if (wrapper.Compression > (int)CompressionType.Lz4)
            throw Error($"Unknown compression type {wrapper.Compression} for a magic {wrapper.Magic} message", "attributes", start + RecordBatchLayout.LegacyAttributesOffset);
        if (wrapper.ValueLength < 0)
            throw Error("Compressed legacy message has a null value", "value", wrapper.ValueStart - 4);

        // The inner message set is decompressed now: the header needs its offsets and count.
        long errorBase = _streamOffset + start;
        ReadOnlyMemory<byte> inner = _reader.Decompress(
            (CompressionType)wrapper.Compression, span.Slice(wrapper.ValueStart, wrapper.ValueLength), 0, errorBase);
        var innerErrors = new RecordErrorContext(errorBase, decompressed: true);
        ReadOnlySpan<byte> innerSpan = inner.Span;
        int count = 0;
        long firstOffset = 0, lastOffset = 0;
        for (int position = 0; position < innerSpan.Length; count++)
        {
            LegacyMessage message = LegacyMessage.Parse(innerSpan, position, _reader.VerifyCrc, innerErrors);
            if (message.Compression != 0)
                throw innerErrors.Error("A compressed legacy message contains another compressed message", "attributes", position + RecordBatchLayout.LegacyAttributesOffset);
            if (message.Magic > wrapper.Magic)
                throw innerErrors.Error($"Inner message magic {message.Magic} is newer than its wrapper's {wrapper.Magic}", "magic", position + RecordBatchLayout.MagicOffset);
            if (count == 0) firstOffset = message.Offset;
            lastOffset = message.Offset;
            position = message.End;
        }
        if (count == 0) throw Error("Compressed legacy message holds no inner messages", "value", wrapper.ValueStart);

        // Magic 1 inner offsets are relative; the wrapper carries the absolute offset of the last one.
        long offsetBase = wrapper.Magic >= 1 ? wrapper.Offset - lastOffset : 0;
        long lastOffsetDelta = lastOffset - firstOffset;
        if (lastOffsetDelta is < 0 or > int.MaxValue)
            throw Error($"Inner message offsets {firstOffset}..{lastOffset} are not increasing", "offset", start);
        var header = new RecordBatchHeader(
            firstOffset + offsetBase, wrapper.Size, -1, wrapper.Magic, wrapper.Crc, wrapper.Attributes,
            (int)lastOffsetDelta, wrapper.Timestamp, wrapper.Timestamp, -1, -1, -1, count);
        return new RecordBatch(
            _reader, header, _memory[start..end], inner,
            needsDecompression: false, decompressed: true, offsetBase: offsetBase,
            hasTimestampOverride: logAppendTime, timestampOverride: wrapper.Timestamp, errorBase: errorBase);
    }

    private bool Partial(int position, string field, int remaining, int length)
    {
        // Messages are built only when thrown: a partial trailing batch is normal and must not allocate.
        if (!_reader.AllowPartialTrailingBatch)
        {
            throw length == 0
                ? Error($"Input truncated: {remaining} bytes cannot hold a batch's offset and length", field, position)
                : Error($"Input truncated: batch length {length} exceeds the {remaining - RecordBatchLayout.LogOverhead} bytes that remain", field, position);
        }
        EndedWithPartialBatch = true;
        _current = default;
        return false;
    }

    private readonly KafkaProtocolException Error(string message, string field, int position) =>
        new(message, field, _streamOffset + position);
}
