using System.Buffers;
using System.Numerics;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace KafkaNative.Protocol.Compression;

/// <summary>Zstandard (KIP-110) through ZstdSharp, a managed port of the reference library.</summary>
internal static class ZstdCodec
{
    /// <summary>Kafka's and the reference library's default level.</summary>
    internal const int DefaultLevel = 3;

    // Allows every window the standard levels pick (up to 2^23 for level 19 streaming), whatever the cap.
    private const int MinWindowLogMax = 23;
    private const int MaxWindowLogMax = 27;     // the reference library's own default limit

    // A compression or decompression context holds hundreds of KiB of tables: building one per batch
    // would cost more than compressing it, so a few are kept for reuse.
    internal static readonly CodecContextPool<Compressor> Compressors = new(CodecContextPool<Compressor>.DefaultCapacity);
    internal static readonly CodecContextPool<Decompressor> Decompressors = new(CodecContextPool<Decompressor>.DefaultCapacity);

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int? level)
    {
        int bound = Compressor.GetCompressBound(source.Length);
        if (bound <= 0 || bound > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(source), source.Length, "Input too large for one zstd frame.");

        Span<byte> output = destination.GetSpan(bound);
        Compressor compressor = Compressors.TryRent() ?? new Compressor(DefaultLevel);
        int written;
        try
        {
            // Only the level can differ from the last use.
            int wanted = level ?? DefaultLevel;
            if (compressor.Level != wanted) compressor.Level = wanted;
            written = compressor.Wrap(source, output);
        }
        catch (ZstdException e)
        {
            throw new KafkaException($"zstd compression failed: {e.Message}", e);
        }
        finally
        {
            // Each Wrap starts its frame afresh, so even one that failed is fit to reuse.
            Compressors.Return(compressor);
        }
        destination.Advance(written);
    }

    public static void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        if (source.Length < 4)
            throw CodecErrors.Corrupt(CompressionType.Zstd, $"{source.Length} bytes is shorter than a zstd frame", 0);

        // A frame that states its size is checked against the cap before anything is decoded.
        ulong declared = FrameContentSize(source);
        if (declared == ZstdContentSize.Error)
            throw CodecErrors.Corrupt(CompressionType.Zstd, "not a zstd frame (bad magic number or truncated header)", 0);
        if (declared != ZstdContentSize.Unknown && declared > (ulong)maxDecompressedBytes)
            throw CodecErrors.TooLarge(CompressionType.Zstd, maxDecompressedBytes);

        Decompressor decompressor = RentDecompressor(maxDecompressedBytes);
        try
        {
            // One frame that states its size, as producers write per batch, decodes in a single call straight
            // into the destination: the streaming decoder would decode into its window and copy from there.
            // The span reserved is at most the cap, as the streaming decoder's window would be.
            if (declared != ZstdContentSize.Unknown && IsOneWholeFrame(source))
            {
                int length = (int)declared;
                int decoded = decompressor.Unwrap(source, destination.GetSpan(length)[..length]);
                if (decoded != length)
                    throw CodecErrors.Corrupt(CompressionType.Zstd, $"decoded {decoded} bytes but the frame declared {length}", source.Length);
                destination.Advance(length);
                return;
            }

            long produced = 0;
            int consumed = 0;
            while (true)
            {
                Span<byte> output = OutputBudget.Next(destination, produced, maxDecompressedBytes);
                OperationStatus status = decompressor.UnwrapStream(source[consumed..], output, out int read, out int written);
                consumed += read;
                if (status == OperationStatus.InvalidData)
                    throw CodecErrors.Corrupt(CompressionType.Zstd, "the decoder rejected the data", consumed);

                if (written > 0)
                {
                    if (produced + written > maxDecompressedBytes)
                        throw CodecErrors.TooLarge(CompressionType.Zstd, maxDecompressedBytes);
                    destination.Advance(written);
                    produced += written;
                }

                // Done: every frame ended with the input. DestinationTooSmall: more output to come.
                // NeedMoreData with a full output may only mean the decoder still holds bytes to flush;
                // with room left in the output, the input really ended mid-frame.
                if (status == OperationStatus.Done) break;
                if (status == OperationStatus.NeedMoreData && written < output.Length)
                    throw CodecErrors.Corrupt(CompressionType.Zstd, "the frame is truncated", consumed);
            }
        }
        catch (ZstdException e)
        {
            throw CodecErrors.Corrupt(CompressionType.Zstd, e.Message, -1, e);
        }
        finally
        {
            // Even one left mid-frame by an error: RentDecompressor resets it before its next use.
            Decompressors.Return(decompressor);
        }
    }

    /// <summary>A decompressor ready for a new frame, with the window limited according to the cap.</summary>
    private static Decompressor RentDecompressor(int maxDecompressedBytes)
    {
        Decompressor decompressor = Decompressors.TryRent() ?? new Decompressor();
        // Reset here rather than on return, so one abandoned mid-frame by an error is still clean.
        decompressor.ResetStream();
        decompressor.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, WindowLogMax(maxDecompressedBytes));
        return decompressor;
    }

    private static unsafe ulong FrameContentSize(ReadOnlySpan<byte> source)
    {
        fixed (byte* input = source) return Methods.ZSTD_getFrameContentSize(input, (nuint)source.Length);
    }

    private static unsafe bool IsOneWholeFrame(ReadOnlySpan<byte> source)
    {
        fixed (byte* input = source) return Methods.ZSTD_findFrameCompressedSize(input, (nuint)source.Length) == (nuint)source.Length;
    }

    // Bounds the window the decoder will allocate for a frame without a content size: twice the cap rounded
    // up to a power of two, but never below what standard levels use nor above the library's default.
    internal static int WindowLogMax(int maxDecompressedBytes) =>
        Math.Clamp(BitOperations.Log2((uint)Math.Max(maxDecompressedBytes, 1) - 1 | 1) + 2, MinWindowLogMax, MaxWindowLogMax);

    /// <summary>The two special values of ZSTD_getFrameContentSize.</summary>
    private static class ZstdContentSize
    {
        public const ulong Unknown = ulong.MaxValue;
        public const ulong Error = ulong.MaxValue - 1;
    }
}
