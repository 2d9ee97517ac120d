using System.Buffers;

namespace KafkaNative.Protocol.Compression;

/// <summary>Compresses and decompresses record batch payloads with any Kafka codec.</summary>
public static class Codecs
{
    /// <summary>Default cap on what one decompression may produce, guarding against decompression bombs.</summary>
    public const int DefaultMaxDecompressedBytes = 64 * 1024 * 1024;

    /// <summary>Compresses <paramref name="source"/> into <paramref name="destination"/>.</summary>
    /// <param name="type">The codec.</param>
    /// <param name="source">Uncompressed bytes.</param>
    /// <param name="destination">Where the compressed bytes are appended.</param>
    /// <param name="level">Codec-specific level; null picks the codec's default.</param>
    /// <exception cref="CodecUnavailableException">The codec's native library is missing.</exception>
    public static void Compress(CompressionType type, ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int? level = null) =>
        throw new NotImplementedException("Filled in by the codecs work.");

    /// <summary>Decompresses <paramref name="source"/> into <paramref name="destination"/>.</summary>
    /// <param name="type">The codec.</param>
    /// <param name="source">Compressed bytes.</param>
    /// <param name="destination">Where the decompressed bytes are appended.</param>
    /// <param name="maxDecompressedBytes">Fails once the output would exceed this many bytes.</param>
    /// <exception cref="KafkaProtocolException">The input is corrupt, or decompresses to more than <paramref name="maxDecompressedBytes"/>.</exception>
    /// <exception cref="CodecUnavailableException">The codec's native library is missing.</exception>
    public static void Decompress(CompressionType type, ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes = DefaultMaxDecompressedBytes) =>
        throw new NotImplementedException("Filled in by the codecs work.");
}

/// <summary>A codec whose native library is not installed on this machine.</summary>
public sealed class CodecUnavailableException : KafkaException
{
    /// <summary>Creates the exception for <paramref name="codec"/>, saying what to install.</summary>
    public CodecUnavailableException(CompressionType codec, string library, string install, Exception? innerException = null)
        : base($"The {codec} codec needs the native library {library}, which could not be loaded. Install it ({install}).", innerException)
    {
        Codec = codec;
    }

    /// <summary>The codec that is unavailable.</summary>
    public CompressionType Codec { get; }
}
