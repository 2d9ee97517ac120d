using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KafkaNative.Protocol.Compression;

/// <summary>
/// Snappy in managed code: the raw block format (varint length, then literal and copy elements)
/// and the xerial framing that Kafka's Java client writes around it.
/// </summary>
internal static class SnappyCodec
{
    /// <summary>First 8 bytes of a xerial (snappy-java) stream.</summary>
    internal static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0x00];

    /// <summary>Magic, int32 version, int32 minimum compatible version.</summary>
    internal const int XerialHeaderLength = 16;

    /// <summary>Uncompressed bytes per xerial block, as snappy-java's default.</summary>
    internal const int XerialBlockSize = 32 * 1024;

    // Matches never reach further back than this, so positions fit a ushort table and copies fit 2-byte offsets.
    private const int FragmentSize = 64 * 1024;
    private const int MaxHashBits = 14;
    private const int MinHashBits = 8;
    // Below this a fragment is emitted as one literal: hashing would cost more than it saves.
    private const int MinMatchableFragment = 16;

    /// <summary>Largest raw snappy output for <paramref name="length"/> input bytes (the reference's bound).</summary>
    internal static int MaxCompressedLength(int length)
    {
        long bound = 32L + length + length / 6;
        if (bound > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(length), length, "Input too large for snappy.");
        return (int)bound;
    }

    /// <summary>Compresses with xerial framing: header, then [int32 BE length][raw block] per 32 KiB of input.</summary>
    [SkipLocalsInit] // the hash table is cleared per fragment anyway
    public static void CompressXerial(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        Span<byte> header = destination.GetSpan(XerialHeaderLength);
        XerialMagic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], 1);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], 1);
        destination.Advance(XerialHeaderLength);

        Span<ushort> table = stackalloc ushort[1 << MaxHashBits];
        int maxBlock = 4 + MaxCompressedLength(XerialBlockSize);
        while (!source.IsEmpty)
        {
            ReadOnlySpan<byte> block = source[..Math.Min(XerialBlockSize, source.Length)];
            Span<byte> span = destination.GetSpan(maxBlock);
            int written = CompressRaw(block, span[4..], table);
            BinaryPrimitives.WriteInt32BigEndian(span, written);
            destination.Advance(4 + written);
            source = source[block.Length..];
        }
    }

    /// <summary>Compresses into one raw snappy block, without framing.</summary>
    [SkipLocalsInit]
    public static void CompressRaw(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        Span<byte> span = destination.GetSpan(MaxCompressedLength(source.Length));
        Span<ushort> table = stackalloc ushort[1 << MaxHashBits];
        destination.Advance(CompressRaw(source, span, table));
    }

    /// <summary>Writes one raw snappy block; <paramref name="destination"/> holds at least <see cref="MaxCompressedLength"/> bytes.</summary>
    internal static int CompressRaw(ReadOnlySpan<byte> source, Span<byte> destination, Span<ushort> table)
    {
        int op = WriteVarint(destination, (uint)source.Length);
        for (int start = 0; start < source.Length; start += FragmentSize)
        {
            ReadOnlySpan<byte> fragment = source.Slice(start, Math.Min(FragmentSize, source.Length - start));
            op += CompressFragment(fragment, destination[op..], table);
        }
        return op;
    }

    // Greedy matcher: hash 4 bytes at a time, remember the last position per hash, take any verified match
    // and extend it as far as it goes. Misses widen the stride so incompressible input is skipped quickly.
    private static int CompressFragment(ReadOnlySpan<byte> input, Span<byte> output, Span<ushort> tableStorage)
    {
        int n = input.Length;
        if (n < MinMatchableFragment) return EmitLiteral(input, output);

        int hashBits = Math.Clamp(BitOperations.Log2((uint)n - 1) + 1, MinHashBits, MaxHashBits);
        Span<ushort> table = tableStorage[..(1 << hashBits)];
        table.Clear();
        int shift = 32 - hashBits;

        ref byte start = ref MemoryMarshal.GetReference(input);
        int op = 0, anchor = 0, ip = 1;
        int lastHashable = n - 4;
        uint skip = 32;
        while (ip <= lastHashable)
        {
            uint current = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, ip));
            int hash = (int)((current * 0x1E35A7BDu) >> shift);
            int candidate = table[hash];
            table[hash] = (ushort)ip;
            // Entries are always earlier positions in this fragment (or 0 when unset), so candidate < ip.
            if (Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, candidate)) != current)
            {
                ip += (int)(skip++ >> 5);
                continue;
            }

            if (ip > anchor) op += EmitLiteral(input[anchor..ip], output[op..]);
            int length = 4 + input[(candidate + 4)..].CommonPrefixLength(input[(ip + 4)..]);
            op += EmitCopy(output[op..], ip - candidate, length);
            ip += length;
            anchor = ip;
            skip = 32;
            if (ip - 1 <= lastHashable)
            {
                uint previous = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, ip - 1));
                table[(int)((previous * 0x1E35A7BDu) >> shift)] = (ushort)(ip - 1);
            }
        }

        if (anchor < n) op += EmitLiteral(input[anchor..], output[op..]);
        return op;
    }

    private static int EmitLiteral(ReadOnlySpan<byte> literal, Span<byte> output)
    {
        int n = literal.Length - 1;
        int op;
        if (n < 60)
        {
            output[0] = (byte)(n << 2);
            op = 1;
        }
        else if (n < 0x100)
        {
            output[0] = 60 << 2;
            output[1] = (byte)n;
            op = 2;
        }
        else if (n < 0x10000)
        {
            output[0] = 61 << 2;
            BinaryPrimitives.WriteUInt16LittleEndian(output[1..], (ushort)n);
            op = 3;
        }
        else if (n < 0x1000000)
        {
            output[0] = 62 << 2;
            output[1] = (byte)n;
            output[2] = (byte)(n >> 8);
            output[3] = (byte)(n >> 16);
            op = 4;
        }
        else
        {
            output[0] = 63 << 2;
            BinaryPrimitives.WriteUInt32LittleEndian(output[1..], (uint)n);
            op = 5;
        }
        literal.CopyTo(output[op..]);
        return op + literal.Length;
    }

    // Copies are at most 64 bytes each; long matches are split so the last piece keeps at least 4 bytes,
    // letting it use the 2-byte copy-1 form when the offset allows.
    private static int EmitCopy(Span<byte> output, int offset, int length)
    {
        int op = 0;
        while (length >= 68)
        {
            op += EmitCopy2(output[op..], offset, 64);
            length -= 64;
        }
        if (length > 64)
        {
            op += EmitCopy2(output[op..], offset, 60);
            length -= 60;
        }
        if (length < 12 && offset < 2048)
        {
            output[op] = (byte)(1 | ((length - 4) << 2) | ((offset >> 8) << 5));
            output[op + 1] = (byte)offset;
            return op + 2;
        }
        return op + EmitCopy2(output[op..], offset, length);
    }

    private static int EmitCopy2(Span<byte> output, int offset, int length)
    {
        output[0] = (byte)(2 | ((length - 1) << 2));
        BinaryPrimitives.WriteUInt16LittleEndian(output[1..], (ushort)offset);
        return 3;
    }

    private static int WriteVarint(Span<byte> output, uint value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            output[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        output[i++] = (byte)value;
        return i;
    }

    /// <summary>Decompresses xerial-framed snappy, or raw snappy when the xerial magic is absent.</summary>
    public static void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        long produced = 0;
        if (!source.StartsWith(XerialMagic))
        {
            DecompressBlock(source, 0, destination, ref produced, maxDecompressedBytes);
            return;
        }

        int pos = 0;
        while (pos < source.Length)
        {
            // snappy-java reads concatenated streams, each with its own header. A block length never
            // starts with 0x82 (it would be negative), so the check cannot mistake a block for a header.
            if (source[pos..].StartsWith(XerialMagic))
            {
                if (source.Length - pos < XerialHeaderLength)
                    throw CodecErrors.Corrupt(CompressionType.Snappy, "xerial header is truncated", pos);
                pos += XerialHeaderLength;
                continue;
            }
            if (source.Length - pos < 4)
                throw CodecErrors.Corrupt(CompressionType.Snappy, "xerial block length is truncated", pos);
            int blockLength = BinaryPrimitives.ReadInt32BigEndian(source[pos..]);
            if (blockLength <= 0 || blockLength > source.Length - pos - 4)
                throw CodecErrors.Corrupt(CompressionType.Snappy,
                    $"xerial block length {blockLength} does not fit the {source.Length - pos - 4} bytes that remain", pos);
            pos += 4;
            DecompressBlock(source.Slice(pos, blockLength), pos, destination, ref produced, maxDecompressedBytes);
            pos += blockLength;
        }
    }

    /// <summary>Decodes one raw snappy block straight into <paramref name="destination"/>.</summary>
    /// <param name="block">The block.</param>
    /// <param name="blockOffset">Where the block starts in the whole input, for error messages.</param>
    /// <param name="destination">Receives the output.</param>
    /// <param name="produced">Bytes produced so far across blocks; updated.</param>
    /// <param name="max">The decompression cap.</param>
    private static void DecompressBlock(ReadOnlySpan<byte> block, int blockOffset, IBufferWriter<byte> destination, ref long produced, int max)
    {
        if (!TryReadVarint(block, out uint declared, out int headerLength))
            throw CodecErrors.Corrupt(CompressionType.Snappy, "the uncompressed length preamble is missing or malformed", blockOffset);
        // Check the claim before allocating for it: against the cap, then against the most the body could
        // encode (a 3-byte copy yields at most 64 bytes), so a tiny input cannot make us reserve a lot.
        if (declared > max - produced)
            throw CodecErrors.TooLarge(CompressionType.Snappy, max);
        long body = block.Length - headerLength;
        if (declared > body * 64 / 3)
            throw CodecErrors.Corrupt(CompressionType.Snappy,
                $"declares {declared} uncompressed bytes, more than its {body} bytes can encode", blockOffset);

        int length = (int)declared;
        Span<byte> output = length == 0 ? [] : destination.GetSpan(length)[..length];
        DecodeElements(block[headerLength..], output, blockOffset + headerLength);
        destination.Advance(length);
        produced += length;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> input, out uint value, out int length)
    {
        value = 0;
        for (int i = 0; i < 5 && i < input.Length; i++)
        {
            byte b = input[i];
            if (i == 4 && b > 0x0F) break;
            value |= (uint)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                length = i + 1;
                return true;
            }
        }
        length = 0;
        return false;
    }

    // Every length and offset is checked against both spans before use, so corrupt input fails with a
    // KafkaProtocolException rather than an index exception.
    private static void DecodeElements(ReadOnlySpan<byte> input, Span<byte> output, int inputOffset)
    {
        int ip = 0, op = 0;
        while (ip < input.Length)
        {
            int elementStart = ip;
            byte tag = input[ip++];
            int length;
            uint offset;
            switch (tag & 3)
            {
                case 0:
                {
                    uint literal = (uint)(tag >> 2);
                    if (literal >= 60)
                    {
                        int extra = (int)literal - 59;
                        if (extra > input.Length - ip)
                            throw CodecErrors.Corrupt(CompressionType.Snappy, "literal length is truncated", inputOffset + elementStart);
                        literal = 0;
                        for (int i = 0; i < extra; i++) literal |= (uint)input[ip + i] << (8 * i);
                        ip += extra;
                    }
                    long count = (long)literal + 1;
                    if (count > input.Length - ip)
                        throw CodecErrors.Corrupt(CompressionType.Snappy, $"literal of {count} bytes runs past the end of the input", inputOffset + elementStart);
                    if (count > output.Length - op)
                        throw CodecErrors.Corrupt(CompressionType.Snappy, "literal runs past the declared uncompressed length", inputOffset + elementStart);
                    input.Slice(ip, (int)count).CopyTo(output[op..]);
                    ip += (int)count;
                    op += (int)count;
                    continue;
                }
                case 1:
                    if (ip >= input.Length)
                        throw CodecErrors.Corrupt(CompressionType.Snappy, "copy element is truncated", inputOffset + elementStart);
                    length = 4 + ((tag >> 2) & 7);
                    offset = (uint)((tag >> 5) << 8) | input[ip];
                    ip += 1;
                    break;
                case 2:
                    if (input.Length - ip < 2)
                        throw CodecErrors.Corrupt(CompressionType.Snappy, "copy element is truncated", inputOffset + elementStart);
                    length = (tag >> 2) + 1;
                    offset = BinaryPrimitives.ReadUInt16LittleEndian(input[ip..]);
                    ip += 2;
                    break;
                default:
                    if (input.Length - ip < 4)
                        throw CodecErrors.Corrupt(CompressionType.Snappy, "copy element is truncated", inputOffset + elementStart);
                    length = (tag >> 2) + 1;
                    offset = BinaryPrimitives.ReadUInt32LittleEndian(input[ip..]);
                    ip += 4;
                    break;
            }

            if (offset == 0 || offset > (uint)op)
                throw CodecErrors.Corrupt(CompressionType.Snappy, $"copy offset {offset} points before the start of the output", inputOffset + elementStart);
            if (length > output.Length - op)
                throw CodecErrors.Corrupt(CompressionType.Snappy, "copy runs past the declared uncompressed length", inputOffset + elementStart);
            int from = op - (int)offset;
            if ((int)offset >= length)
            {
                output.Slice(from, length).CopyTo(output[op..]);
            }
            else
            {
                // Overlapping copy repeats the last `offset` bytes. Copy the pattern in chunks that double in
                // size; each chunk starts at a multiple of the period, so it never overlaps its own source.
                int done = 0, period = (int)offset;
                while (done < length)
                {
                    int chunk = Math.Min(period, length - done);
                    output.Slice(from, chunk).CopyTo(output[(op + done)..]);
                    done += chunk;
                    period += chunk;
                }
            }
            op += length;
        }

        if (op != output.Length)
            throw CodecErrors.Corrupt(CompressionType.Snappy, $"decoded {op} bytes but the block declared {output.Length}", inputOffset + ip);
    }
}
