using System.Buffers.Binary;

namespace KafkaNative.Fuzz.Engine;

/// <summary>
/// AFL-style havoc mutations, stacked 1 to 8 per input: bit flips, random and "interesting" bytes,
/// big-endian lengths nudged or set to edge values (Kafka prefixes everything with lengths), block
/// deletes, duplicates and inserts, truncation and splicing with another corpus entry.
/// Deterministic for a given <see cref="Random"/>, so a CI failure replays.
/// </summary>
public sealed class Mutator(Random random, int maxLength = 64 * 1024)
{
    private static readonly int[] InterestingInt32 = [0, 1, -1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, int.MaxValue, int.MinValue, 0x10000, 0x7FFFFFF0];
    private static readonly byte[] InterestingByte = [0, 1, 0x7F, 0x80, 0xFF, 0x0A, (byte)',', (byte)'='];

    public byte[] Mutate(byte[] input, IReadOnlyList<byte[]> corpus)
    {
        var data = new List<byte>(input);
        int stack = 1 << random.Next(4);
        for (int i = 0; i < stack; i++) Apply(data, corpus);
        if (data.Count > maxLength) data.RemoveRange(maxLength, data.Count - maxLength);
        return data.ToArray();
    }

    private void Apply(List<byte> data, IReadOnlyList<byte[]> corpus)
    {
        if (data.Count == 0)
        {
            data.Add((byte)random.Next(256));
            return;
        }
        int at = random.Next(data.Count);
        switch (random.Next(12))
        {
            case 0:
                data[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                data[at] = (byte)random.Next(256);
                break;
            case 2:
                data[at] = InterestingByte[random.Next(InterestingByte.Length)];
                break;
            case 3:
            case 4:
                WriteInt(data, at, random.Next(2) == 0 ? 2 : 4, InterestingInt32[random.Next(InterestingInt32.Length)]);
                break;
            case 5:
                NudgeInt(data, at, random.Next(2) == 0 ? 2 : 4, random.Next(-16, 17));
                break;
            case 6:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(Math.Max(1, data.Count / 8))));
                break;
            case 7:
                int length = Math.Min(data.Count - at, 1 + random.Next(32));
                data.InsertRange(random.Next(data.Count + 1), data.GetRange(at, length));
                break;
            case 8:
                data.InsertRange(at, Enumerable.Range(0, 1 + random.Next(16)).Select(_ => (byte)random.Next(256)).ToArray());
                break;
            case 9:
                data.RemoveRange(at, data.Count - at);
                break;
            case 10:
                Splice(data, corpus);
                break;
            default:
                // A varint's continuation bit set or cleared: Kafka's compact lengths are varints.
                data[at] ^= 0x80;
                break;
        }
    }

    private void WriteInt(List<byte> data, int at, int width, int value)
    {
        if (at + width > data.Count) return;
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        for (int i = 0; i < width; i++) data[at + i] = bytes[4 - width + i];
    }

    private void NudgeInt(List<byte> data, int at, int width, int delta)
    {
        if (at + width > data.Count) return;
        int value = 0;
        for (int i = 0; i < width; i++) value = (value << 8) | data[at + i];
        WriteInt(data, at, width, value + delta);
    }

    private void Splice(List<byte> data, IReadOnlyList<byte[]> corpus)
    {
        if (corpus.Count == 0) return;
        byte[] other = corpus[random.Next(corpus.Count)];
        if (other.Length == 0) return;
        int cut = random.Next(data.Count);
        int from = random.Next(other.Length);
        data.RemoveRange(cut, data.Count - cut);
        data.AddRange(other.AsSpan(from).ToArray());
    }
}
