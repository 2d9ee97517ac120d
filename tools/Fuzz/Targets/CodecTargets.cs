using System.Buffers;
using KafkaNative.Fuzz.Engine;
using KafkaNative.Protocol.Compression;

namespace KafkaNative.Fuzz.Targets;

/// <summary>Each codec's decompressor on arbitrary input (snappy: raw and xerial framing), capped at 1 MiB out.</summary>
internal static class CodecTargets
{
    public static readonly CompressionType[] Compressed = [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    public static IEnumerable<FuzzTarget> All() => Compressed.Select(Codec);

    public static string NameOf(CompressionType codec) => "codec-" + codec.ToString().ToLowerInvariant();

    private static FuzzTarget Codec(CompressionType codec) => new(
        NameOf(codec),
        input =>
        {
            Codecs.Decompress(codec, input, new ArrayBufferWriter<byte>(), RecordTargets.MaxDecompressedBytes);
            return true;
        },
        () => SamplePayloads().Select(payload =>
        {
            var compressed = new ArrayBufferWriter<byte>();
            Codecs.Compress(codec, payload, compressed);
            return compressed.WrittenSpan.ToArray();
        }));

    /// <summary>Empty, tiny, repetitive, incompressible and multi-block payloads.</summary>
    public static IEnumerable<byte[]> SamplePayloads()
    {
        var random = new Random(1);
        yield return [];
        yield return "k"u8.ToArray();
        yield return Enumerable.Repeat((byte)'a', 1000).ToArray();
        byte[] noise = new byte[300];
        random.NextBytes(noise);
        yield return noise;
        yield return Enumerable.Range(0, 70 * 1024).Select(i => (byte)(i % 251 < 200 ? 'x' : i)).ToArray();
    }
}
