using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using K4os.Compression.LZ4;

namespace KafkaNative.Protocol.Compression;

/// <summary>
/// The LZ4 frame format, framed here and with blocks coded by K4os.Compression.LZ4. Writes what Kafka's
/// Java client writes: 64 KiB independent blocks, no block or content checksums, no content size.
/// </summary>
/// <remarks>
/// The frame is walked here rather than by K4os' stream decoder: that decoder neither verifies block
/// and content checksums nor skips skippable frames, and it decodes through a buffer of its own. Walked
/// here, each block decodes straight into the destination, within the cap.
/// </remarks>
internal static class Lz4Codec
{
    /// <summary>Magic number that opens every LZ4 frame (little-endian on the wire).</summary>
    internal const uint FrameMagic = 0x184D2204;

    private const uint SkippableMagicMask = 0xFFFFFFF0;
    private const uint SkippableMagic = 0x184D2A50;
    private const int SkippableHeaderLength = 8;    // magic, int32 size: the shortest thing LZ4 input can hold
    private const uint UncompressedBlockFlag = 0x80000000;

    // FLG: version 01 and independent blocks; BD: 64 KiB blocks. What Kafka's Java client writes.
    private const byte KafkaFlags = 0x60;
    private const byte KafkaBlockDescriptor = 0x40;
    private const int KafkaBlockSize = 64 * 1024;

    // FLG bits.
    private const int VersionMask = 0xC0, Version1 = 0x40;
    private const int IndependentBlocksFlag = 0x20, BlockChecksumFlag = 0x10, ContentSizeFlag = 0x08;
    private const int ContentChecksumFlag = 0x04, ReservedFlag = 0x02, DictionaryIdFlag = 0x01;

    // A linked block may copy from the 64 KiB decoded before it.
    private const int LinkedWindow = 64 * 1024;

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int? level)
    {
        LZ4Level lz4Level = ToLz4Level(level);
        Span<byte> header = destination.GetSpan(7);
        BinaryPrimitives.WriteUInt32LittleEndian(header, FrameMagic);
        header[4] = KafkaFlags;
        header[5] = KafkaBlockDescriptor;
        header[6] = HeaderChecksum(header[4..6]);
        destination.Advance(7);

        int maxBlock = 4 + LZ4Codec.MaximumOutputSize(KafkaBlockSize);
        while (!source.IsEmpty)
        {
            ReadOnlySpan<byte> block = source[..Math.Min(KafkaBlockSize, source.Length)];
            Span<byte> span = destination.GetSpan(maxBlock);
            int written = LZ4Codec.Encode(block, span[4..], lz4Level);
            if (written <= 0 || written >= block.Length)
            {
                // Incompressible: the frame format stores the block as it is, flagged in its length.
                block.CopyTo(span[4..]);
                BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)block.Length | UncompressedBlockFlag);
                written = block.Length;
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)written);
            }
            destination.Advance(4 + written);
            source = source[block.Length..];
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination.GetSpan(4), 0); // end mark
        destination.Advance(4);
    }

    // Level 0 (and anything below 3) is LZ4's fast mode, as librdkafka's default; 3 and above select LZ4HC,
    // capped at 12 as liblz4 does.
    private static LZ4Level ToLz4Level(int? level) => level switch
    {
        null or < 3 => LZ4Level.L00_FAST,
        > 12 => LZ4Level.L12_MAX,
        _ => (LZ4Level)level.Value,
    };

    /// <summary>Decompresses one or more frames; skippable frames between them are passed over.</summary>
    public static void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        if (source.Length < SkippableHeaderLength)
            throw CodecErrors.Corrupt(CompressionType.Lz4, $"{source.Length} bytes is shorter than any LZ4 frame", 0);

        long produced = 0;
        int pos = 0;
        while (pos < source.Length)
        {
            if (source.Length - pos < 4)
                throw CodecErrors.Corrupt(CompressionType.Lz4, "trailing bytes too short for a frame magic", pos);
            uint magic = BinaryPrimitives.ReadUInt32LittleEndian(source[pos..]);
            if ((magic & SkippableMagicMask) == SkippableMagic)
            {
                if (source.Length - pos < SkippableHeaderLength)
                    throw CodecErrors.Corrupt(CompressionType.Lz4, "skippable frame header is truncated", pos);
                uint skip = BinaryPrimitives.ReadUInt32LittleEndian(source[(pos + 4)..]);
                if (skip > (uint)(source.Length - pos - SkippableHeaderLength))
                    throw CodecErrors.Corrupt(CompressionType.Lz4, $"skippable frame of {skip} bytes runs past the input", pos);
                pos += SkippableHeaderLength + (int)skip;
                continue;
            }
            if (magic != FrameMagic)
                throw CodecErrors.Corrupt(CompressionType.Lz4, $"bad frame magic 0x{magic:X8} (expected 0x{FrameMagic:X8})", pos);
            pos = DecodeFrame(source, pos + 4, destination, ref produced, maxDecompressedBytes);
        }
    }

    /// <summary>Decodes the frame whose descriptor starts at <paramref name="pos"/>; returns where the frame ends.</summary>
    private static int DecodeFrame(ReadOnlySpan<byte> source, int pos, IBufferWriter<byte> destination, ref long produced, int max)
    {
        FrameDescriptor frame = ReadDescriptor(source, ref pos);
        if (frame.ContentSize is { } declared && declared > (ulong)(max - produced))
            throw CodecErrors.TooLarge(CompressionType.Lz4, max);

        // Only frames that ask for them pay for a content hash or a window of linked history.
        XxHash32? contentHash = frame.ContentChecksum ? new XxHash32() : null;
        using var history = frame.IndependentBlocks ? null : new LinkedHistory();
        long frameStart = produced;
        while (true)
        {
            if (source.Length - pos < 4)
                throw CodecErrors.Corrupt(CompressionType.Lz4, "the frame is truncated (no end mark)", pos);
            uint blockHeader = BinaryPrimitives.ReadUInt32LittleEndian(source[pos..]);
            pos += 4;
            if (blockHeader == 0) break;

            int length = (int)(blockHeader & ~UncompressedBlockFlag);
            if (length > frame.MaxBlockSize)
                throw CodecErrors.Corrupt(CompressionType.Lz4, $"block of {length} bytes is over the frame's {frame.MaxBlockSize}-byte maximum", pos - 4);
            int needed = length + (frame.BlockChecksum ? 4 : 0);
            if (needed > source.Length - pos)
                throw CodecErrors.Corrupt(CompressionType.Lz4, "the frame is truncated (block runs past the input)", pos);
            ReadOnlySpan<byte> block = source.Slice(pos, length);
            if (frame.BlockChecksum && XxHash32.HashToUInt32(block) != BinaryPrimitives.ReadUInt32LittleEndian(source[(pos + length)..]))
                throw CodecErrors.Corrupt(CompressionType.Lz4, "block checksum mismatch", pos);

            Span<byte> output = DecodeBlock(block, (blockHeader & UncompressedBlockFlag) != 0, frame, history, destination, produced, max, pos);
            contentHash?.Append(output);
            history?.Remember(output);
            destination.Advance(output.Length);
            produced += output.Length;
            pos += needed;
        }

        if (frame.ContentSize is { } size && (ulong)(produced - frameStart) != size)
            throw CodecErrors.Corrupt(CompressionType.Lz4, $"decoded {produced - frameStart} bytes but the frame declared {size}", pos);
        if (contentHash is not null)
        {
            if (source.Length - pos < 4)
                throw CodecErrors.Corrupt(CompressionType.Lz4, "the content checksum is truncated", pos);
            if (contentHash.GetCurrentHashAsUInt32() != BinaryPrimitives.ReadUInt32LittleEndian(source[pos..]))
                throw CodecErrors.Corrupt(CompressionType.Lz4, "content checksum mismatch", pos);
            pos += 4;
        }
        return pos;
    }

    /// <summary>Decodes one block into <paramref name="destination"/>'s next span; returns the decoded bytes there.</summary>
    private static Span<byte> DecodeBlock(
        ReadOnlySpan<byte> block, bool stored, FrameDescriptor frame, LinkedHistory? history,
        IBufferWriter<byte> destination, long produced, int max, int offset)
    {
        long allowed = max - produced;
        if (stored)
        {
            if (block.Length > allowed) throw CodecErrors.TooLarge(CompressionType.Lz4, max);
            Span<byte> copy = destination.GetSpan(block.Length)[..block.Length];
            block.CopyTo(copy);
            return copy;
        }

        // Near the cap an independent block is decoded only up to one byte past it: filling that byte proves
        // the output too large without writing the whole block. Linked blocks (never written by Kafka
        // clients) have no partial decode with history, so they get a whole block's room, checked after.
        int room = (int)Math.Min(frame.MaxBlockSize, allowed + 1);
        bool partial = room < frame.MaxBlockSize && history is null;
        Span<byte> output = destination.GetSpan(partial ? room : frame.MaxBlockSize)[..(partial ? room : frame.MaxBlockSize)];
        int decoded = partial ? LZ4Codec.PartialDecode(block, output)
            : history is null ? LZ4Codec.Decode(block, output)
            : LZ4Codec.Decode(block, output, history.Window);
        if (decoded < 0)
            throw CodecErrors.Corrupt(CompressionType.Lz4, "the block does not decode", offset);
        if (decoded > allowed)
            throw CodecErrors.TooLarge(CompressionType.Lz4, max);
        return output[..decoded];
    }

    private static FrameDescriptor ReadDescriptor(ReadOnlySpan<byte> source, ref int pos)
    {
        int start = pos;
        if (source.Length - pos < 3)
            throw CodecErrors.Corrupt(CompressionType.Lz4, "frame header is truncated", pos);
        byte flags = source[pos], blockDescriptor = source[pos + 1];
        if ((flags & VersionMask) != Version1 || (flags & ReservedFlag) != 0 || (blockDescriptor & 0x8F) != 0)
            throw CodecErrors.Corrupt(CompressionType.Lz4, $"unsupported frame descriptor FLG=0x{flags:X2} BD=0x{blockDescriptor:X2}", pos);
        int maxBlockSize = ((blockDescriptor >> 4) & 7) switch
        {
            4 => 64 * 1024,
            5 => 256 * 1024,
            6 => 1024 * 1024,
            7 => 4 * 1024 * 1024,
            int id => throw CodecErrors.Corrupt(CompressionType.Lz4, $"unknown block size id {id}", pos + 1),
        };

        int descriptorLength = 2 + ((flags & ContentSizeFlag) != 0 ? 8 : 0) + ((flags & DictionaryIdFlag) != 0 ? 4 : 0);
        if (source.Length - pos < descriptorLength + 1)
            throw CodecErrors.Corrupt(CompressionType.Lz4, "frame header is truncated", pos);
        ulong? contentSize = (flags & ContentSizeFlag) != 0 ? BinaryPrimitives.ReadUInt64LittleEndian(source[(pos + 2)..]) : null;
        // A dictionary id is passed over: no Kafka client uses one, and blocks that refer to one fail to decode.
        // The checksum is checked as liblz4 checks it, so frames from Kafka before 0.10 (KIP-57), which hashed the
        // magic number into it too, are rejected as corrupt, as they always were here.
        if (HeaderChecksum(source.Slice(pos, descriptorLength)) != source[pos + descriptorLength])
            throw CodecErrors.Corrupt(CompressionType.Lz4, "frame header checksum mismatch", pos + descriptorLength);
        pos += descriptorLength + 1;

        return new FrameDescriptor(
            maxBlockSize, contentSize,
            IndependentBlocks: (flags & IndependentBlocksFlag) != 0,
            BlockChecksum: (flags & BlockChecksumFlag) != 0,
            ContentChecksum: (flags & ContentChecksumFlag) != 0);
    }

    /// <summary>The frame header's checksum byte: the second byte of the descriptor's xxHash32.</summary>
    private static byte HeaderChecksum(ReadOnlySpan<byte> descriptor) => (byte)(XxHash32.HashToUInt32(descriptor) >> 8);

    private readonly record struct FrameDescriptor(int MaxBlockSize, ulong? ContentSize, bool IndependentBlocks, bool BlockChecksum, bool ContentChecksum);

    /// <summary>The last 64 KiB decoded in a frame of linked blocks, which the next block may copy from.</summary>
    private sealed class LinkedHistory : IDisposable
    {
        private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(LinkedWindow);
        private int _length;

        public ReadOnlySpan<byte> Window => _buffer.AsSpan(0, _length);

        public void Remember(ReadOnlySpan<byte> decoded)
        {
            if (decoded.Length >= LinkedWindow)
            {
                decoded[^LinkedWindow..].CopyTo(_buffer);
                _length = LinkedWindow;
                return;
            }
            int keep = Math.Min(_length, LinkedWindow - decoded.Length);
            _buffer.AsSpan(_length - keep, keep).CopyTo(_buffer);
            decoded.CopyTo(_buffer.AsSpan(keep));
            _length = keep + decoded.Length;
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
    }
}
