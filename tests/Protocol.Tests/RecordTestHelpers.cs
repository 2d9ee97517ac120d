using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using KafkaNative.Protocol.Compression;
using KafkaNative.Protocol.Primitives;
using KafkaNative.Protocol.Records;
using Record = KafkaNative.Protocol.Records.Record;

namespace KafkaNative.Protocol.Tests;

/// <summary>A record as plain data, for comparing what was written with what was read.</summary>
internal sealed record TestRecord(long Offset, long Timestamp, byte[]? Key, byte[]? Value, (string Key, byte[]? Value)[] Headers);

internal static class RecordTestHelpers
{
    public static List<TestRecord> ReadAll(RecordBatch batch)
    {
        var list = new List<TestRecord>();
        foreach (Record r in batch)
        {
            var headers = new List<(string, byte[]?)>();
            foreach (RecordHeaderView h in r.Headers) headers.Add((h.GetKey(), h.Value?.ToArray()));
            Assert.Equal(r.Headers.Count, headers.Count);
            list.Add(new TestRecord(r.Offset, r.Timestamp, r.Key?.ToArray(), r.Value?.ToArray(), headers.ToArray()));
        }
        return list;
    }

    public static List<(RecordBatchHeader Header, List<TestRecord> Records)> ReadBatches(RecordBatchReader reader, ReadOnlyMemory<byte> input)
    {
        var result = new List<(RecordBatchHeader, List<TestRecord>)>();
        foreach (RecordBatch batch in reader.Read(input)) result.Add((batch.Header, ReadAll(batch)));
        return result;
    }

    /// <summary>A legacy message (magic 0 or 1) with a correct CRC-32.</summary>
    public static byte[] LegacyMessage(long offset, byte magic, byte attributes, long timestamp, byte[]? key, byte[]? value)
    {
        int size = 4 + 1 + 1 + (magic == 1 ? 8 : 0) + 4 + (key?.Length ?? 0) + 4 + (value?.Length ?? 0);
        var bytes = new byte[12 + size];
        var s = bytes.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(s, offset);
        BinaryPrimitives.WriteInt32BigEndian(s[8..], size);
        s[16] = magic;
        s[17] = attributes;
        int p = 18;
        if (magic == 1) { BinaryPrimitives.WriteInt64BigEndian(s[p..], timestamp); p += 8; }
        BinaryPrimitives.WriteInt32BigEndian(s[p..], key?.Length ?? -1); p += 4;
        if (key is not null) { key.CopyTo(s[p..]); p += key.Length; }
        BinaryPrimitives.WriteInt32BigEndian(s[p..], value?.Length ?? -1); p += 4;
        if (value is not null) { value.CopyTo(s[p..]); p += value.Length; }
        BinaryPrimitives.WriteUInt32BigEndian(s[12..], Crc32.Compute(s[16..]));
        return bytes;
    }

    public static byte[] Gzip(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(data);
        return output.ToArray();
    }

    /// <summary>Rewrites the CRC of a magic 2 batch after a test corrupted one of its fields.</summary>
    public static void FixCrc(Span<byte> batch) =>
        BinaryPrimitives.WriteUInt32BigEndian(batch[17..], Crc32C.Compute(batch[21..]));
}

/// <summary>
/// Stands in for <see cref="Codecs"/> until the codecs land: gzip through GZipStream; any other
/// type is "compressed" by copying with a one-byte tag, so round trips still work. Records each call.
/// </summary>
internal sealed class FakeCodec : IRecordCodec
{
    public List<(string Operation, CompressionType Type)> Calls { get; } = [];

    public void Compress(CompressionType type, ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int? level)
    {
        Calls.Add(("compress", type));
        if (type == CompressionType.Gzip) { destination.Write(RecordTestHelpers.Gzip(source)); return; }
        destination.Write([(byte)type]);
        destination.Write(source);
    }

    public void Decompress(CompressionType type, ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        Calls.Add(("decompress", type));
        if (type == CompressionType.Gzip)
        {
            using var input = new MemoryStream(source.ToArray());
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            if (output.Length > maxDecompressedBytes) throw new KafkaProtocolException("too large", "records");
            destination.Write(output.ToArray());
            return;
        }
        if (source.Length == 0 || source[0] != (byte)type) throw new KafkaProtocolException("not fake-compressed with this type", "records");
        if (source.Length - 1 > maxDecompressedBytes) throw new KafkaProtocolException("too large", "records");
        destination.Write(source[1..]);
    }
}
