using System.Buffers;

namespace KafkaNative.Protocol.Compression;

/// <summary>
/// Compresses and decompresses record batch payloads with any Kafka codec, all in managed code: gzip through
/// the runtime, snappy through Snappier, LZ4 through K4os.Compression.LZ4, zstd through ZstdSharp.
/// </summary>
public static class Codecs
{
    /// <summary>Default cap on what one decompression may produce, guarding against decompression bombs.</summary>
    public const int DefaultMaxDecompressedBytes = 64 * 1024 * 1024;

    /// <summary>Compresses <paramref name="source"/> into <paramref name="destination"/>.</summary>
    /// <param name="type">The codec.</param>
    /// <param name="source">Uncompressed bytes.</param>
    /// <param name="destination">Where the compressed bytes are appended.</param>
    /// <param name="level">Codec-specific level; null picks the codec's default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a known codec, or <paramref name="level"/> is out of the codec's range.</exception>
    /// <remarks>
    /// Output is what Kafka's Java client writes: gzip members (default level 6), xerial-framed Snappy
    /// (level ignored), LZ4 frames of 64 KiB independent blocks (default level 0, LZ4's fast mode;
    /// 3 and above select LZ4HC), zstd frames (default level 3).
    /// </remarks>
    public static void Compress(CompressionType type, ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int? level = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        switch (type)
        {
            case CompressionType.None:
                destination.Write(source);
                break;
            case CompressionType.Gzip:
                GzipCodec.Compress(source, destination, level);
                break;
            case CompressionType.Snappy:
                SnappyCodec.CompressXerial(source, destination);
                break;
            case CompressionType.Lz4:
                Lz4Codec.Compress(source, destination, level);
                break;
            case CompressionType.Zstd:
                ZstdCodec.Compress(source, destination, level);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown compression codec.");
        }
    }

    /// <summary>Decompresses <paramref name="source"/> into <paramref name="destination"/>.</summary>
    /// <param name="type">The codec.</param>
    /// <param name="source">Compressed bytes.</param>
    /// <param name="destination">Where the decompressed bytes are appended.</param>
    /// <param name="maxDecompressedBytes">Fails once the output would exceed this many bytes.</param>
    /// <exception cref="KafkaProtocolException">The input is corrupt, or decompresses to more than <paramref name="maxDecompressedBytes"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDecompressedBytes"/> is negative.</exception>
    /// <remarks>
    /// Snappy input may be xerial-framed (Java clients) or raw (librdkafka). On an exception,
    /// <paramref name="destination"/> may already hold part of the output; discard it.
    /// </remarks>
    public static void Decompress(CompressionType type, ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes = DefaultMaxDecompressedBytes)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDecompressedBytes);
        switch (type)
        {
            case CompressionType.None:
                if (source.Length > maxDecompressedBytes) throw CodecErrors.TooLarge(type, maxDecompressedBytes);
                destination.Write(source);
                break;
            case CompressionType.Gzip:
                GzipCodec.Decompress(source, destination, maxDecompressedBytes);
                break;
            case CompressionType.Snappy:
                SnappyCodec.Decompress(source, destination, maxDecompressedBytes);
                break;
            case CompressionType.Lz4:
                Lz4Codec.Decompress(source, destination, maxDecompressedBytes);
                break;
            case CompressionType.Zstd:
                ZstdCodec.Decompress(source, destination, maxDecompressedBytes);
                break;
            default:
                // The codec comes from a record batch's attributes, so an unknown one is bad input.
                throw new KafkaProtocolException($"Unknown compression codec {(int)type}", "attributes");
        }
    }
}
