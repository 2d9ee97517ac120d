using System.Buffers.Binary;

namespace KafkaNative;

/// <summary>
/// MurmurHash2 exactly as the Java client's <c>Utils.murmur2</c> computes it, so that a key lands on
/// the same partition whichever client produced it.
/// </summary>
public static class Murmur2
{
    private const uint Seed = 0x9747b28c;
    private const uint M = 0x5bd1e995;
    private const int R = 24;

    /// <summary>The 32-bit hash of <paramref name="data"/>.</summary>
    public static int Hash(ReadOnlySpan<byte> data)
    {
        int length = data.Length;
        uint h = Seed ^ (uint)length;
        int blocks = length / 4;
        for (int i = 0; i < blocks; i++)
        {
            uint k = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i * 4, 4));
            k *= M;
            k ^= k >> R;
            k *= M;
            h *= M;
            h ^= k;
        }

        ReadOnlySpan<byte> tail = data[(blocks * 4)..];
        switch (tail.Length)
        {
            case 3:
                h ^= (uint)tail[2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)tail[1] << 8;
                goto case 1;
            case 1:
                h ^= tail[0];
                h *= M;
                break;
        }

        h ^= h >> 13;
        h *= M;
        h ^= h >> 15;
        return (int)h;
    }

    /// <summary>The partition the Java client's default partitioner picks for a keyed record.</summary>
    public static int Partition(ReadOnlySpan<byte> key, int partitionCount) =>
        (int)((uint)(Hash(key) & 0x7fffffff) % (uint)partitionCount);
}
