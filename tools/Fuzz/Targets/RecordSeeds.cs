using System.Buffers.Binary;
using KafkaNative.Protocol.Compression;
using KafkaNative.Protocol.Primitives;
using KafkaNative.Protocol.Records;

namespace KafkaNative.Fuzz.Targets;

/// <summary>Valid record batches built in code; kcat's real batches come from the corpus folder.</summary>
internal static class RecordSeeds
{
    public static IEnumerable<byte[]> MagicTwo()
    {
        foreach (CompressionType codec in (CompressionType[])[CompressionType.None, .. CodecTargets.Compressed])
        {
            byte[] batch = Batch(codec, control: false);
            yield return [RecordTargets.SkipCrcFlag, .. batch];
            yield return [0, .. batch, .. batch.AsSpan(0, batch.Length / 2)];
        }
        yield return [RecordTargets.SkipCrcFlag, .. Batch(CompressionType.None, control: true)];
    }

    public static IEnumerable<byte[]> Legacy()
    {
        byte[] v0 = Message(0, 0, 0, -1, null, "hello"u8.ToArray());
        byte[] v1 = Message(1, 1, 0, 1000, "k"u8.ToArray(), "v"u8.ToArray());
        yield return [RecordTargets.SkipCrcFlag, .. v0, .. v1];
        byte[] inner = [.. Message(0, 1, 0, 5, "a"u8.ToArray(), "first"u8.ToArray()), .. Message(1, 1, 0, 6, null, "second"u8.ToArray())];
        foreach (CompressionType codec in (CompressionType[])[CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4])
        {
            var compressed = new System.Buffers.ArrayBufferWriter<byte>();
            Codecs.Compress(codec, inner, compressed);
            // A wrapper message: its value is the compressed inner message set, its offset the last inner one.
            yield return [RecordTargets.SkipCrcFlag, .. Message(1, 1, (byte)codec, 6, null, compressed.WrittenSpan.ToArray())];
        }
    }

    private static byte[] Batch(CompressionType codec, bool control)
    {
        using var builder = new RecordBatchBuilder { Compression = codec, BaseOffset = 40, IsControl = control, IsTransactional = control, ProducerId = control ? 9 : -1 };
        if (control)
        {
            builder.Append(1_700_000_000_000, [0, 0, 0, 1], [0, 0, 0, 0, 0, 3]);
            return builder.Build().ToArray();
        }
        RecordHeader[] headers = [new("trace", "abc"u8.ToArray()), new("empty", null)];
        for (int i = 0; i < 5; i++)
            builder.Append(1_700_000_000_000 + i, "key"u8, new byte[i * 40], i % 2 == 0 ? headers : default, keyIsNull: i == 3, valueIsNull: i == 4);
        return builder.Build().ToArray();
    }

    /// <summary>A legacy message (magic 0 or 1): offset, size, CRC-32, magic, attributes, [timestamp], key, value.</summary>
    public static byte[] Message(long offset, byte magic, byte attributes, long timestamp, byte[]? key, byte[]? value)
    {
        int size = 4 + 1 + 1 + (magic == 1 ? 8 : 0) + 4 + (key?.Length ?? 0) + 4 + (value?.Length ?? 0);
        var bytes = new byte[12 + size];
        Span<byte> s = bytes;
        BinaryPrimitives.WriteInt64BigEndian(s, offset);
        BinaryPrimitives.WriteInt32BigEndian(s[8..], size);
        s[16] = magic;
        s[17] = attributes;
        int p = 18;
        if (magic == 1)
        {
            BinaryPrimitives.WriteInt64BigEndian(s[p..], timestamp);
            p += 8;
        }
        p = WriteBytes(s, p, key);
        WriteBytes(s, p, value);
        BinaryPrimitives.WriteUInt32BigEndian(s[12..], Crc32.Compute(s[16..]));
        return bytes;
    }

    private static int WriteBytes(Span<byte> s, int p, byte[]? bytes)
    {
        BinaryPrimitives.WriteInt32BigEndian(s[p..], bytes?.Length ?? -1);
        bytes?.CopyTo(s[(p + 4)..]);
        return p + 4 + (bytes?.Length ?? 0);
    }
}
