using System.Buffers.Binary;
using System.Text;
using KafkaNative.Protocol.Primitives;
using KafkaNative.Sim.Log;

namespace KafkaNative.Sim.Tests.Support;

/// <summary>Builds and reads uncompressed v2 record batches for tests (the records library is not merged yet).</summary>
internal static class Batches
{
    public static byte[] Build(IReadOnlyList<string> values, long producerId = -1, short producerEpoch = -1, int baseSequence = -1, long baseTimestamp = 1_700_000_000_000, int timestampStep = 1, bool transactional = false)
    {
        var records = new PooledBufferWriter();
        for (int i = 0; i < values.Count; i++)
        {
            byte[] value = Encoding.UTF8.GetBytes(values[i]);
            var body = new PooledBufferWriter();
            var w = new KafkaWriter(body);
            w.WriteInt8(0);
            w.WriteVarLong((long)i * timestampStep);
            w.WriteVarInt(i);
            w.WriteVarInt(-1);
            w.WriteVarInt(value.Length);
            w.WriteRaw(value);
            w.WriteVarInt(0);
            w.Flush();
            var rw = new KafkaWriter(records);
            rw.WriteVarInt(body.WrittenCount);
            rw.WriteRaw(body.WrittenSpan);
            rw.Flush();
            body.Dispose();
        }
        byte[] batch = new byte[BatchHeader.Size + records.WrittenCount];
        Span<byte> s = batch;
        BinaryPrimitives.WriteInt64BigEndian(s, 0);
        BinaryPrimitives.WriteInt32BigEndian(s[8..], batch.Length - BatchHeader.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(s[12..], -1);
        s[16] = 2;
        BinaryPrimitives.WriteInt16BigEndian(s[21..], (short)(transactional ? 0x10 : 0));
        BinaryPrimitives.WriteInt32BigEndian(s[23..], values.Count - 1);
        BinaryPrimitives.WriteInt64BigEndian(s[27..], baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(s[35..], baseTimestamp + (long)(values.Count - 1) * timestampStep);
        BinaryPrimitives.WriteInt64BigEndian(s[43..], producerId);
        BinaryPrimitives.WriteInt16BigEndian(s[51..], producerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(s[53..], baseSequence);
        BinaryPrimitives.WriteInt32BigEndian(s[57..], values.Count);
        records.WrittenSpan.CopyTo(s[BatchHeader.Size..]);
        records.Dispose();
        BinaryPrimitives.WriteUInt32BigEndian(s[17..], Crc32C.Compute(s[BatchHeader.CrcStart..]));
        return batch;
    }

    /// <summary>The (offset, value) of every record in a run of uncompressed batches.</summary>
    public static List<(long Offset, string Value)> Read(ReadOnlyMemory<byte> data)
    {
        var result = new List<(long, string)>();
        ReadOnlySpan<byte> bytes = data.Span;
        while (BatchHeader.TryRead(bytes, out BatchHeader header) && header.TotalLength <= bytes.Length)
        {
            var reader = new KafkaReader(bytes[BatchHeader.Size..header.TotalLength]);
            for (int i = 0; i < header.RecordCount; i++)
            {
                reader.ReadVarInt();
                reader.Skip(1);
                reader.ReadVarLong();
                int offsetDelta = reader.ReadVarInt();
                int keyLength = reader.ReadVarInt();
                if (keyLength > 0) reader.Skip(keyLength);
                int valueLength = reader.ReadVarInt();
                string value = Encoding.UTF8.GetString(reader.ReadSpan(valueLength));
                int headers = reader.ReadVarInt();
                Assert.Equal(0, headers);
                result.Add((header.BaseOffset + offsetDelta, value));
            }
            bytes = bytes[header.TotalLength..];
        }
        return result;
    }
}
