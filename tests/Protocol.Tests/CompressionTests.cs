using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using KafkaNative.Protocol.Compression;

namespace KafkaNative.Protocol.Tests;

public class CompressionTests
{
    private const int OneMiB = 1024 * 1024;
    private static readonly CompressionType[] AllCodecs =
        [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];
    private static readonly CompressionType[] RealCodecs =
        [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    private static readonly string InteropText =
        "Kafka interop vector: the quick brown fox jumps over the lazy dog. the quick brown fox jumps over the lazy dog.";

    public static TheoryData<CompressionType, string> CodecsAndInputs()
    {
        var data = new TheoryData<CompressionType, string>();
        foreach (var codec in AllCodecs)
            foreach (var input in new[] { "empty", "one-byte", "small", "random-1MiB", "repetitive-1MiB", "text-1MiB" })
                data.Add(codec, input);
        return data;
    }

    public static TheoryData<CompressionType> Codecs() => [.. AllCodecs];
    public static TheoryData<CompressionType> CompressingCodecs() => [.. RealCodecs];

    private static byte[] MakeInput(string kind) => kind switch
    {
        "empty" => [],
        "one-byte" => [42],
        "small" => "hello, kafka"u8.ToArray(),
        "random-1MiB" => RandomBytes(OneMiB, seed: 1),
        "repetitive-1MiB" => Enumerable.Range(0, OneMiB).Select(i => (byte)(i % 7 == 0 ? 'x' : 'a' + i % 3)).ToArray(),
        "text-1MiB" => TextLike(OneMiB),
        _ => throw new ArgumentException(kind),
    };

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    // Compressible but not trivially so: words drawn at random, like JSON-ish record values.
    private static byte[] TextLike(int length)
    {
        string[] words = ["kafka", "record", "batch", "offset", "partition", "topic", "{\"id\":", "}", ",", "producer", "consumer", "1234", "\n"];
        var random = new Random(7);
        var bytes = new byte[length];
        int pos = 0;
        while (pos < length)
        {
            var word = System.Text.Encoding.ASCII.GetBytes(words[random.Next(words.Length)] + " ");
            int n = Math.Min(word.Length, length - pos);
            word.AsSpan(0, n).CopyTo(bytes.AsSpan(pos));
            pos += n;
        }
        return bytes;
    }

    private static byte[] Compress(CompressionType codec, ReadOnlySpan<byte> input, int? level = null)
    {
        var writer = new ArrayBufferWriter<byte>();
        Compressions.Compress(codec, input, writer, level);
        return writer.WrittenSpan.ToArray();
    }

    private static byte[] Decompress(CompressionType codec, ReadOnlySpan<byte> input, int max = KafkaNative.Protocol.Compression.Codecs.DefaultMaxDecompressedBytes)
    {
        var writer = new ArrayBufferWriter<byte>();
        Compressions.Decompress(codec, input, writer, max);
        return writer.WrittenSpan.ToArray();
    }

    [Theory]
    [MemberData(nameof(CodecsAndInputs))]
    public void RoundTrips(CompressionType codec, string inputKind)
    {
        byte[] input = MakeInput(inputKind);
        byte[] compressed = Compress(codec, input);
        Assert.Equal(input, Decompress(codec, compressed));
        if (inputKind == "repetitive-1MiB" && codec != CompressionType.None)
            Assert.True(compressed.Length < input.Length / 10, $"{codec} compressed repetitive input to {compressed.Length} bytes");
    }

    [Theory]
    [MemberData(nameof(CompressingCodecs))]
    public void RoundTripsIntoAPooledWriter(CompressionType codec)
    {
        byte[] input = TextLike(300_000);
        using var compressed = new Primitives.PooledBufferWriter(16);
        Compressions.Compress(codec, input, compressed);
        using var output = new Primitives.PooledBufferWriter(16);
        Compressions.Decompress(codec, compressed.WrittenSpan, output);
        Assert.True(input.AsSpan().SequenceEqual(output.WrittenSpan));
    }

    [Theory]
    [InlineData(CompressionType.Gzip, 1)]
    [InlineData(CompressionType.Gzip, 9)]
    [InlineData(CompressionType.Gzip, -1)]
    [InlineData(CompressionType.Lz4, 1)]
    [InlineData(CompressionType.Lz4, 9)]
    [InlineData(CompressionType.Lz4, 17)]
    [InlineData(CompressionType.Zstd, 1)]
    [InlineData(CompressionType.Zstd, 19)]
    [InlineData(CompressionType.Zstd, -5)]
    public void RoundTripsAtEveryLevel(CompressionType codec, int level)
    {
        byte[] input = TextLike(200_000);
        Assert.Equal(input, Decompress(codec, Compress(codec, input, level)));
    }

    [Fact]
    public void GzipRejectsLevelsOutOfRange() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Compress(CompressionType.Gzip, "x"u8, level: 10));

    [Fact]
    public void GzipOutputIsStandardGzip()
    {
        byte[] input = TextLike(10_000);
        byte[] compressed = Compress(CompressionType.Gzip, input);
        Assert.Equal(new byte[] { 0x1F, 0x8B, 0x08 }, compressed[..3]);
        using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        var output = new MemoryStream();
        gzip.CopyTo(output);
        Assert.Equal(input, output.ToArray());
    }

    // Raw snappy vectors written by hand from the format description.
    [Theory]
    [InlineData("00", "")]
    [InlineData("05 10 68 65 6C 6C 6F", "hello")] // literal, length in the tag
    [InlineData("0C 0C 61 62 63 64 11 04", "abcdabcdabcd")] // literal "abcd", copy-1 offset 4 length 8
    [InlineData("0C 0C 61 62 63 64 1E 04 00", "abcdabcdabcd")] // copy-2 offset 4 length 8
    [InlineData("0C 0C 61 62 63 64 1F 04 00 00 00", "abcdabcdabcd")] // copy-4 offset 4 length 8
    [InlineData("0B 00 61 19 01", "aaaaaaaaaaa")] // overlapping copy-1: offset 1, length 10
    [InlineData("0A 04 61 62 1E 02 00", "ababababab")] // overlapping copy-2: offset 2, length 8
    [InlineData("0D 08 61 62 63 05 03 05 03", "abcabcabcabca")] // "abc", then two overlapping copy-1s: offset 3, length 5
    public void SnappyDecodesHandMadeRawVectors(string hex, string expected)
    {
        byte[] raw = Convert.FromHexString(hex.Replace(" ", ""));
        Assert.Equal(System.Text.Encoding.ASCII.GetBytes(expected), Decompress(CompressionType.Snappy, raw));
    }

    [Fact]
    public void SnappyDecodesLongLiteralForms()
    {
        byte[] payload = RandomBytes(100, seed: 3);
        // Length 100: tag 60 means one extra byte holding length - 1.
        byte[] raw = [100, 60 << 2, 99, .. payload];
        Assert.Equal(payload, Decompress(CompressionType.Snappy, raw));

        byte[] big = RandomBytes(70_000, seed: 4);
        // Length 70000 = 0x11170: varint F0 A2 04; tag 62 means three extra bytes.
        int n = big.Length - 1;
        byte[] raw3 = [0xF0, 0xA2, 0x04, 62 << 2, (byte)n, (byte)(n >> 8), (byte)(n >> 16), .. big];
        Assert.Equal(big, Decompress(CompressionType.Snappy, raw3));
    }

    [Fact]
    public void SnappyCompressorEmitsExpectedElements()
    {
        // 20 x 'a': one literal 'a', then a copy at offset 1 of length 19 (copy-2, as 19 > 11).
        var writer = new ArrayBufferWriter<byte>();
        SnappyCodec.CompressRaw(Enumerable.Repeat((byte)'a', 20).ToArray(), writer);
        Assert.Equal(new byte[] { 0x14, 0x00, 0x61, 0x4A, 0x01, 0x00 }, writer.WrittenSpan.ToArray());

        writer.Clear();
        SnappyCodec.CompressRaw("hello"u8, writer);
        Assert.Equal(new byte[] { 0x05, 0x10, 0x68, 0x65, 0x6C, 0x6C, 0x6F }, writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void SnappyWritesXerialFraming()
    {
        byte[] compressed = Compress(CompressionType.Snappy, "hello"u8);
        byte[] header = [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0x00, 0, 0, 0, 1, 0, 0, 0, 1];
        Assert.Equal(header, compressed[..16]);
        Assert.Equal(7, BinaryPrimitives.ReadInt32BigEndian(compressed.AsSpan(16)));
        Assert.Equal(new byte[] { 0x05, 0x10, 0x68, 0x65, 0x6C, 0x6C, 0x6F }, compressed[20..]);

        Assert.Equal(header, Compress(CompressionType.Snappy, []));
    }

    [Fact]
    public void SnappyXerialBlocksHoldAtMost32KiB()
    {
        byte[] input = RandomBytes(100_000, seed: 5);
        byte[] compressed = Compress(CompressionType.Snappy, input);
        var declared = new List<int>();
        int pos = 16;
        while (pos < compressed.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(compressed.AsSpan(pos));
            var block = new ArrayBufferWriter<byte>();
            Compressions.Decompress(CompressionType.Snappy, compressed.AsSpan(pos + 4, length), block);
            declared.Add(block.WrittenCount);
            pos += 4 + length;
        }
        Assert.Equal(new[] { 32768, 32768, 32768, 100_000 - 3 * 32768 }, declared);
    }

    [Fact]
    public void SnappyDecodesRawWithoutFraming()
    {
        byte[] input = TextLike(OneMiB);
        var raw = new ArrayBufferWriter<byte>();
        SnappyCodec.CompressRaw(input, raw);
        Assert.NotEqual(0x82, raw.WrittenSpan[0]);
        Assert.Equal(input, Decompress(CompressionType.Snappy, raw.WrittenSpan));
    }

    [Fact]
    public void SnappyDecodesConcatenatedXerialStreams()
    {
        byte[] a = TextLike(50_000), b = RandomBytes(1_000, seed: 9);
        byte[] joined = [.. Compress(CompressionType.Snappy, a), .. Compress(CompressionType.Snappy, b)];
        Assert.Equal([.. a, .. b], Decompress(CompressionType.Snappy, joined));
    }

    [Fact]
    public void Lz4WritesKafkaCompatibleFrames()
    {
        byte[] compressed = Compress(CompressionType.Lz4, TextLike(200_000));
        Assert.Equal(0x184D2204u, BinaryPrimitives.ReadUInt32LittleEndian(compressed));
        // FLG: version 01, independent blocks, no block checksum, no content size, no content checksum.
        Assert.Equal(0x60, compressed[4]);
        // BD: 64 KiB maximum block size, as Kafka's Java client.
        Assert.Equal(0x40, compressed[5]);
        // Ends with the EndMark.
        Assert.Equal(new byte[4], compressed[^4..]);
    }

    // Vectors made by the reference command-line tools (gzip -9 -n; lz4 -BX; lz4 -B4; zstd -3 from stdin).
    [Theory]
    [InlineData(CompressionType.Gzip, "H4sIAAAAAAACA/NOTMtOVMjMK0ktyi9QKEtNLskvslIoyUhVKCzNTM5WSCrKL89TSMuvUMgqzS0oVsgvSy0CS+ckVlUqpOSn65GkGACWm99+bwAAAA==")]
    [InlineData(CompressionType.Lz4, "BCJNGHRAvU4AAADxJUthZmthIGludGVyb3AgdmVjdG9yOiB0aGUgcXVpY2sgYnJvd24gZm94IGp1bXBzIG92ZXIfAJFsYXp5IGRvZy4OAA8tABBQIGRvZy7/YYK2AAAAAG58Jsg=")]
    [InlineData(CompressionType.Lz4, "BCJNGGRAp04AAADxJUthZmthIGludGVyb3AgdmVjdG9yOiB0aGUgcXVpY2sgYnJvd24gZm94IGp1bXBzIG92ZXIfAJFsYXp5IGRvZy4OAA8tABBQIGRvZy4AAAAAbnwmyA==")]
    [InlineData(CompressionType.Zstd, "KLUv/QRYRQIA1ANLYWZrYSBpbnRlcm9wIHZlY3RvcjogdGhlIHF1aWNrIGJyb3duIGZveCBqdW1wcyBvdmVybGF6eSBkb2cuAgBCZQ4JQUEBFaFAqQ==")]
    public void DecodesReferenceToolOutput(CompressionType codec, string base64)
    {
        byte[] output = Decompress(codec, Convert.FromBase64String(base64));
        Assert.Equal(InteropText, System.Text.Encoding.ASCII.GetString(output));
    }

    public static TheoryData<CompressionType, string> CorruptInputs()
    {
        var data = new TheoryData<CompressionType, string>();
        foreach (var codec in RealCodecs)
            foreach (var kind in new[] { "garbage", "truncated", "truncated-header", "flipped" })
                data.Add(codec, kind);
        data.Add(CompressionType.Snappy, "raw-bad-offset");
        data.Add(CompressionType.Snappy, "raw-literal-past-end");
        data.Add(CompressionType.Snappy, "raw-short-output");
        data.Add(CompressionType.Snappy, "raw-overlong-varint");
        data.Add(CompressionType.Snappy, "raw-claims-too-much");
        data.Add(CompressionType.Snappy, "xerial-block-too-long");
        data.Add(CompressionType.Snappy, "xerial-negative-block");
        data.Add(CompressionType.Snappy, "xerial-short-header");
        data.Add(CompressionType.Lz4, "bad-block-size");
        data.Add(CompressionType.Zstd, "bad-magic");
        data.Add(CompressionType.Gzip, "empty");
        data.Add(CompressionType.Gzip, "missing-trailer");
        data.Add(CompressionType.Gzip, "half-trailer");
        data.Add(CompressionType.Gzip, "trailing-garbage");
        data.Add(CompressionType.Snappy, "empty");
        data.Add(CompressionType.Lz4, "empty");
        data.Add(CompressionType.Zstd, "empty");
        return data;
    }

    [Theory]
    [MemberData(nameof(CorruptInputs))]
    public void CorruptInputThrowsProtocolException(CompressionType codec, string kind)
    {
        byte[] valid = Compress(codec, TextLike(100_000));
        byte[] input = kind switch
        {
            "garbage" => RandomBytes(1000, seed: 11),
            "truncated" => valid[..(valid.Length / 2)],
            "truncated-header" => valid[..3],
            // Flip a byte in the middle of the data; lz4 frames here carry no checksum, so flip a block length.
            "flipped" => codec == CompressionType.Lz4 ? Patch(valid, 7, 0xFF) : Patch(valid, valid.Length / 2, (byte)~valid[valid.Length / 2]),
            "raw-bad-offset" => [0x08, 0x04, 0x61, 0x11, 0x04], // copy at offset 4 with only 1 byte written
            "raw-literal-past-end" => [0x05, 0x10, 0x68, 0x65],
            "raw-short-output" => [0x06, 0x10, 0x68, 0x65, 0x6C, 0x6C, 0x6F],
            "raw-overlong-varint" => [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
            "raw-claims-too-much" => [0xFF, 0xFF, 0x3F, 0x00, 0x61],
            "xerial-block-too-long" => Patch(valid, 16, 0x7F),
            "xerial-negative-block" => Patch(valid, 16, 0x80),
            "xerial-short-header" => valid[..12],
            // Block size 0x7FFFFFFF, more than the 64 KiB the frame allows.
            "bad-block-size" => [.. valid[..7], 0xFF, 0xFF, 0xFF, 0x7F, .. valid[11..]],
            "bad-magic" => Patch(valid, 0, 0x29),
            "empty" => [],
            "missing-trailer" => valid[..^8],
            "half-trailer" => valid[..^4],
            "trailing-garbage" => [.. valid, 1, 2, 3],
            _ => throw new ArgumentException(kind),
        };

        var e = Assert.Throws<KafkaProtocolException>(() => Decompress(codec, input));
        Assert.Contains(codec.ToString(), e.Message);
    }

    private static byte[] Patch(byte[] bytes, int index, byte value)
    {
        byte[] copy = (byte[])bytes.Clone();
        copy[index] = value;
        return copy;
    }

    [Fact]
    public void FlippedBitsNeverEscapeAsOtherExceptions()
    {
        // Each codec either decodes something or throws KafkaProtocolException, whatever byte is damaged.
        var random = new Random(21);
        byte[] input = TextLike(20_000);
        foreach (var codec in RealCodecs)
        {
            byte[] valid = Compress(codec, input);
            for (int i = 0; i < 300; i++)
            {
                byte[] damaged = Patch(valid, random.Next(valid.Length), (byte)random.Next(256));
                if (random.Next(4) == 0) damaged = damaged[..random.Next(damaged.Length)];
                try
                {
                    Decompress(codec, damaged, max: 100_000);
                }
                catch (KafkaProtocolException)
                {
                }
            }
        }
    }

    [Fact]
    public void SnappyDecoderSurvivesRandomInput()
    {
        // Any slip in the framing or the block decoder would surface as IndexOutOfRangeException or the like.
        var random = new Random(33);
        byte[] valid = Compress(CompressionType.Snappy, TextLike(5_000));
        var raw = new ArrayBufferWriter<byte>();
        SnappyCodec.CompressRaw(TextLike(5_000), raw);
        byte[][] seeds = [valid, raw.WrittenSpan.ToArray()];
        for (int i = 0; i < 5_000; i++)
        {
            byte[] input;
            if (i % 5 == 0)
            {
                input = RandomBytes(random.Next(1, 64), seed: i);
            }
            else
            {
                input = (byte[])seeds[i % 2].Clone();
                for (int flips = random.Next(1, 4); flips > 0; flips--) input[random.Next(input.Length)] = (byte)random.Next(256);
            }
            try
            {
                Decompress(CompressionType.Snappy, input, max: 50_000);
            }
            catch (KafkaProtocolException)
            {
            }
        }
    }

    [Fact]
    public void UnknownCodecIsAProtocolError() =>
        Assert.Throws<KafkaProtocolException>(() => Decompress((CompressionType)5, [1, 2, 3]));

    public static TheoryData<CompressionType, string> Bombs()
    {
        var data = new TheoryData<CompressionType, string>();
        foreach (var codec in AllCodecs) data.Add(codec, "one-frame");
        data.Add(CompressionType.Snappy, "raw");
        data.Add(CompressionType.Zstd, "many-frames");
        data.Add(CompressionType.Lz4, "many-frames");
        return data;
    }

    private static readonly Lazy<byte[]> HundredMiBOfZeros = new(() => new byte[100 * OneMiB]);

    [Theory]
    [MemberData(nameof(Bombs))]
    public void DecompressionBombStopsAtTheCap(CompressionType codec, string shape)
    {
        byte[] zeros = HundredMiBOfZeros.Value;
        byte[] bomb;
        if (shape == "raw")
        {
            var raw = new ArrayBufferWriter<byte>();
            SnappyCodec.CompressRaw(zeros, raw);
            bomb = raw.WrittenSpan.ToArray();
        }
        else if (shape == "many-frames")
        {
            // Every frame alone is under the cap (and zstd's declare their size), so only the running total catches it.
            byte[] frame = Compress(codec, zeros.AsSpan(0, OneMiB / 2));
            bomb = Enumerable.Range(0, 200).SelectMany(_ => frame).ToArray();
        }
        else
        {
            bomb = codec == CompressionType.None ? zeros : Compress(codec, zeros);
        }

        var writer = new ArrayBufferWriter<byte>();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<KafkaProtocolException>(() => Compressions.Decompress(codec, bomb, writer, OneMiB));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("limit", e.Message);
        Assert.True(writer.WrittenCount <= OneMiB);
        Assert.True(allocated < 8 * OneMiB, $"{codec} allocated {allocated} bytes before giving up");
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void OutputExactlyAtTheCapIsAllowed(CompressionType codec)
    {
        byte[] input = TextLike(100_000);
        Assert.Equal(input, Decompress(codec, Compress(codec, input), max: input.Length));
        Assert.Throws<KafkaProtocolException>(() => Decompress(codec, Compress(codec, input), max: input.Length - 1));
    }

    [Fact]
    public void Lz4DeclaredContentSizeOverTheCapFailsBeforeDecoding()
    {
        // Magic, FLG with the content-size bit, BD, 8-byte size of 1 GiB, then the header checksum byte.
        byte[] header = [0x04, 0x22, 0x4D, 0x18, 0x68, 0x40, 0, 0, 0, 0x40, 0, 0, 0, 0, 0x00];
        header[^1] = (byte)(System.IO.Hashing.XxHash32.HashToUInt32(header.AsSpan(4, 10)) >> 8);
        var e = Assert.Throws<KafkaProtocolException>(() => Decompress(CompressionType.Lz4, header, max: OneMiB));
        Assert.Contains("limit", e.Message);
    }

    [Theory]
    [MemberData(nameof(CompressingCodecs))]
    public void CodecsAreSafeToUseFromManyThreads(CompressionType codec)
    {
        byte[][] inputs = Enumerable.Range(0, 8).Select(i => RandomBytes(10_000 + i, seed: i).Concat(TextLike(50_000)).ToArray()).ToArray();
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            byte[] input = inputs[i % inputs.Length];
            Assert.Equal(input, Decompress(codec, Compress(codec, input)));
        });
    }
}

/// <summary>Short alias so test bodies read well next to the test class's own helpers.</summary>
file static class Compressions
{
    public static void Compress(CompressionType type, ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int? level = null) =>
        KafkaNative.Protocol.Compression.Codecs.Compress(type, source, destination, level);

    public static void Decompress(CompressionType type, ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int max = KafkaNative.Protocol.Compression.Codecs.DefaultMaxDecompressedBytes) =>
        KafkaNative.Protocol.Compression.Codecs.Decompress(type, source, destination, max);
}
