using System.Buffers;
using KafkaNative.Protocol.Compression;

namespace KafkaNative.Protocol.Records;

/// <summary>How record batches reach the compression codecs; tests substitute their own.</summary>
internal interface IRecordCodec
{
    void Compress(CompressionType type, ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int? level);

    void Decompress(CompressionType type, ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes);
}

/// <summary>The production codec: <see cref="Codecs"/>.</summary>
internal sealed class CodecsRecordCodec : IRecordCodec
{
    public static readonly CodecsRecordCodec Instance = new();

    public void Compress(CompressionType type, ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int? level) =>
        Codecs.Compress(type, source, destination, level);

    public void Decompress(CompressionType type, ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes) =>
        Codecs.Decompress(type, source, destination, maxDecompressedBytes);
}
