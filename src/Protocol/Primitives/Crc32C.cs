using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KafkaNative.Protocol.Primitives;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of Kafka record batches (magic 2): initial value
/// 0xFFFFFFFF, reflected, final xor 0xFFFFFFFF. Uses the CPU's CRC32 instruction through
/// <see cref="BitOperations.Crc32C(uint, ulong)"/>, eight bytes at a time.
/// </summary>
public static class Crc32C
{
    /// <summary>Computes the CRC-32C of <paramref name="data"/>.</summary>
    /// <param name="data">The bytes to checksum.</param>
    /// <returns>The checksum as Kafka writes it.</returns>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// Continues a checksum: <c>Append(Compute(a), b) == Compute(a + b)</c>. Start with 0.
    /// </summary>
    /// <param name="crc">The checksum of the bytes before <paramref name="data"/>, or 0.</param>
    /// <param name="data">The next bytes.</param>
    /// <returns>The checksum of everything so far.</returns>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) => ~Update(~crc, data);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Update(uint state, ReadOnlySpan<byte> data)
    {
        if (BitConverter.IsLittleEndian)
        {
            ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(data);
            ref ulong word = ref MemoryMarshal.GetReference(words);
            int count = words.Length;
            int i = 0;
            // Two words per iteration: fewer loop branches, same dependency chain.
            for (; i + 1 < count; i += 2)
            {
                state = BitOperations.Crc32C(state, Unsafe.Add(ref word, i));
                state = BitOperations.Crc32C(state, Unsafe.Add(ref word, i + 1));
            }
            if (i < count) state = BitOperations.Crc32C(state, Unsafe.Add(ref word, i));
            data = data[(count * sizeof(ulong))..];
        }
        else
        {
            while (data.Length >= sizeof(ulong))
            {
                state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[sizeof(ulong)..];
            }
        }
        foreach (byte b in data) state = BitOperations.Crc32C(state, b);
        return state;
    }
}
