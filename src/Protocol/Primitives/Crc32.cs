namespace KafkaNative.Protocol.Primitives;

/// <summary>
/// CRC-32 (IEEE 802.3, the zlib/gzip checksum): reflected polynomial 0xEDB88320, initial value
/// 0xFFFFFFFF, final xor 0xFFFFFFFF. Kafka's legacy message formats (magic 0 and 1) use it.
/// Table driven, eight bytes per step (slicing-by-8).
/// </summary>
public static class Crc32
{
    private const uint Polynomial = 0xEDB88320u;

    // Eight tables of 256 entries: table k advances a byte through k further zero bytes.
    private static readonly uint[] Table = BuildTable();

    /// <summary>Computes the CRC-32 of <paramref name="data"/>.</summary>
    /// <param name="data">The bytes to checksum.</param>
    /// <returns>The checksum as Kafka writes it.</returns>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// Continues a checksum: <c>Append(Compute(a), b) == Compute(a + b)</c>. Start with 0.
    /// </summary>
    /// <param name="crc">The checksum of the bytes before <paramref name="data"/>, or 0.</param>
    /// <param name="data">The next bytes.</param>
    /// <returns>The checksum of everything so far.</returns>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] t = Table;
        uint state = ~crc;
        while (data.Length >= 8)
        {
            uint low = state ^ (uint)(data[0] | data[1] << 8 | data[2] << 16 | data[3] << 24);
            uint high = (uint)(data[4] | data[5] << 8 | data[6] << 16 | data[7] << 24);
            state = t[7 * 256 + (low & 0xFF)] ^ t[6 * 256 + ((low >> 8) & 0xFF)]
                  ^ t[5 * 256 + ((low >> 16) & 0xFF)] ^ t[4 * 256 + (low >> 24)]
                  ^ t[3 * 256 + (high & 0xFF)] ^ t[2 * 256 + ((high >> 8) & 0xFF)]
                  ^ t[1 * 256 + ((high >> 16) & 0xFF)] ^ t[high >> 24];
            data = data[8..];
        }
        foreach (byte b in data) state = t[(state ^ b) & 0xFF] ^ (state >> 8);
        return ~state;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            table[i] = c;
        }
        for (int k = 1; k < 8; k++)
        {
            for (int i = 0; i < 256; i++)
            {
                uint previous = table[(k - 1) * 256 + i];
                table[k * 256 + i] = (previous >> 8) ^ table[previous & 0xFF];
            }
        }
        return table;
    }
}
