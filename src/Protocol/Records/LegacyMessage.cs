using System.Buffers.Binary;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Protocol.Records;

/// <summary>
/// One parsed legacy message (magic 0 or 1): offset int64, size int32, crc uint32 (CRC-32 IEEE
/// over magic to the end), magic int8, attributes int8, timestamp int64 (magic 1 only), key and
/// value as int32-length bytes where -1 is null. Positions index the span it was parsed from.
/// </summary>
internal readonly struct LegacyMessage
{
    public long Offset { get; init; }
    public int Size { get; init; }
    public uint Crc { get; init; }
    public byte Magic { get; init; }
    public byte Attributes { get; init; }
    public long Timestamp { get; init; }
    public int KeyStart { get; init; }
    public int KeyLength { get; init; }
    public int ValueStart { get; init; }
    public int ValueLength { get; init; }
    public int End { get; init; }

    public int Compression => Attributes & RecordBatchLayout.CompressionMask;

    public bool LogAppendTime => Magic > 0 && (Attributes & RecordBatchLayout.LegacyTimestampTypeFlag) != 0;

    /// <summary>
    /// Parses and validates the message at <paramref name="position"/>; it must lie entirely in
    /// <paramref name="span"/>. Checks the CRC when <paramref name="verifyCrc"/>.
    /// </summary>
    public static LegacyMessage Parse(ReadOnlySpan<byte> span, int position, bool verifyCrc, in RecordErrorContext errors)
    {
        if (span.Length - position < RecordBatchLayout.LogOverhead)
            throw errors.Error($"Input truncated: a legacy message needs {RecordBatchLayout.LogOverhead} bytes of offset and size, {span.Length - position} remain", "messageSize", position);
        long offset = BinaryPrimitives.ReadInt64BigEndian(span[position..]);
        int size = BinaryPrimitives.ReadInt32BigEndian(span[(position + RecordBatchLayout.LengthOffset)..]);
        if (size < RecordBatchLayout.LegacyV0MinSize)
            throw errors.Error($"Legacy message size {size} is smaller than the minimum of {RecordBatchLayout.LegacyV0MinSize}", "messageSize", position + RecordBatchLayout.LengthOffset);
        if (size > span.Length - position - RecordBatchLayout.LogOverhead)
            throw errors.Error($"Legacy message size {size} exceeds the {span.Length - position - RecordBatchLayout.LogOverhead} bytes that remain", "messageSize", position + RecordBatchLayout.LengthOffset);
        int end = position + RecordBatchLayout.LogOverhead + size;

        byte magic = span[position + RecordBatchLayout.MagicOffset];
        if (magic > 1) throw errors.Error($"Unknown magic {magic} in a legacy message set", "magic", position + RecordBatchLayout.MagicOffset);
        if (magic == 1 && size < RecordBatchLayout.LegacyV1MinSize)
            throw errors.Error($"Legacy message size {size} is smaller than the minimum of {RecordBatchLayout.LegacyV1MinSize} for magic 1", "messageSize", position + RecordBatchLayout.LengthOffset);

        uint crc = BinaryPrimitives.ReadUInt32BigEndian(span[(position + RecordBatchLayout.LegacyCrcOffset)..]);
        byte attributes = span[position + RecordBatchLayout.LegacyAttributesOffset];
        int cursor = position + RecordBatchLayout.LegacyTimestampOffset;
        long timestamp = -1;
        if (magic == 1)
        {
            timestamp = BinaryPrimitives.ReadInt64BigEndian(span[cursor..]);
            cursor += 8;
        }

        int keyLength = ReadLength(span, ref cursor, end, "keyLength", errors);
        int keyStart = cursor;
        cursor += Math.Max(keyLength, 0);
        if (end - cursor < 4) throw errors.Error("Legacy message truncated before the value length", "valueLength", cursor);
        int valueLength = ReadLength(span, ref cursor, end, "valueLength", errors);
        int valueStart = cursor;
        cursor += Math.Max(valueLength, 0);
        if (cursor != end) throw errors.Error($"{end - cursor} unexpected bytes after the legacy message value", "value", cursor);

        if (verifyCrc)
        {
            uint computed = Crc32.Compute(span[(position + RecordBatchLayout.MagicOffset)..end]);
            if (computed != crc)
                throw errors.Error($"Legacy message CRC mismatch: stored 0x{crc:X8}, computed 0x{computed:X8}", "crc", position + RecordBatchLayout.LegacyCrcOffset);
        }

        return new LegacyMessage
        {
            Offset = offset,
            Size = size,
            Crc = crc,
            Magic = magic,
            Attributes = attributes,
            Timestamp = timestamp,
            KeyStart = keyStart,
            KeyLength = keyLength,
            ValueStart = valueStart,
            ValueLength = valueLength,
            End = end,
        };
    }

    private static int ReadLength(ReadOnlySpan<byte> span, ref int cursor, int end, string field, in RecordErrorContext errors)
    {
        // Callers guarantee four bytes: the minimum sizes cover both lengths.
        int length = BinaryPrimitives.ReadInt32BigEndian(span[cursor..]);
        if (length < -1) throw errors.Error($"Length {length} is negative", field, cursor);
        cursor += 4;
        if (length > end - cursor) throw errors.Error($"Length {length} exceeds the {end - cursor} bytes left in the message", field, cursor - 4);
        return length;
    }
}
