using System.Buffers.Binary;
using KafkaNative.Protocol.Compression;

namespace KafkaNative.Sim.Log;

/// <summary>
/// The fields of a v2 record batch header the broker needs, read without touching the records.
/// The broker stores batches as producers sent them, so this header is all it ever decodes.
/// </summary>
internal readonly record struct BatchHeader(
    long BaseOffset,
    int BatchLength,
    int PartitionLeaderEpoch,
    sbyte Magic,
    uint Crc,
    short Attributes,
    int LastOffsetDelta,
    long BaseTimestamp,
    long MaxTimestamp,
    long ProducerId,
    short ProducerEpoch,
    int BaseSequence,
    int RecordCount)
{
    /// <summary>Bytes of the v2 header, up to and including the record count.</summary>
    public const int Size = 61;

    /// <summary>Bytes before the part that <see cref="BatchLength"/> counts: base offset and the length itself.</summary>
    public const int LogOverhead = 12;

    /// <summary>Where the CRC-covered part starts (the attributes).</summary>
    public const int CrcStart = 21;

    public int TotalLength => LogOverhead + BatchLength;

    public long LastOffset => BaseOffset + LastOffsetDelta;

    public CompressionType Compression => (CompressionType)(Attributes & 0x07);

    public bool IsTransactional => (Attributes & 0x10) != 0;

    public bool IsControl => (Attributes & 0x20) != 0;

    public bool IsIdempotent => ProducerId >= 0;

    /// <summary>The sequence of the batch's last record; sequences wrap from int.MaxValue to 0.</summary>
    public int LastSequence => BaseSequence < 0 ? BaseSequence : (int)(((long)BaseSequence + LastOffsetDelta) % ((long)int.MaxValue + 1));

    /// <summary>Reads the header at the start of <paramref name="bytes"/>; false when fewer than <see cref="Size"/> bytes remain.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out BatchHeader header)
    {
        if (bytes.Length < Size)
        {
            header = default;
            return false;
        }
        header = new BatchHeader(
            BaseOffset: BinaryPrimitives.ReadInt64BigEndian(bytes),
            BatchLength: BinaryPrimitives.ReadInt32BigEndian(bytes[8..]),
            PartitionLeaderEpoch: BinaryPrimitives.ReadInt32BigEndian(bytes[12..]),
            Magic: (sbyte)bytes[16],
            Crc: BinaryPrimitives.ReadUInt32BigEndian(bytes[17..]),
            Attributes: BinaryPrimitives.ReadInt16BigEndian(bytes[21..]),
            LastOffsetDelta: BinaryPrimitives.ReadInt32BigEndian(bytes[23..]),
            BaseTimestamp: BinaryPrimitives.ReadInt64BigEndian(bytes[27..]),
            MaxTimestamp: BinaryPrimitives.ReadInt64BigEndian(bytes[35..]),
            ProducerId: BinaryPrimitives.ReadInt64BigEndian(bytes[43..]),
            ProducerEpoch: BinaryPrimitives.ReadInt16BigEndian(bytes[51..]),
            BaseSequence: BinaryPrimitives.ReadInt32BigEndian(bytes[53..]),
            RecordCount: BinaryPrimitives.ReadInt32BigEndian(bytes[57..]));
        return true;
    }

    /// <summary>Overwrites the base offset and partition leader epoch, both outside the CRC.</summary>
    public static void Stamp(Span<byte> batch, long baseOffset, int partitionLeaderEpoch)
    {
        BinaryPrimitives.WriteInt64BigEndian(batch, baseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch[12..], partitionLeaderEpoch);
    }
}
