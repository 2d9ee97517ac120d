namespace KafkaNative.Protocol.Primitives;

/// <summary>
/// CRC-32 (IEEE 802.3, the zlib/gzip checksum), which Kafka's legacy message formats (magic 0 and 1)
/// use. Computed by System.IO.Hashing, which uses the CPU's carry-less multiply where there is one.
/// </summary>
public static class Crc32
{
    /// <summary>Computes the CRC-32 of <paramref name="data"/>.</summary>
    /// <param name="data">The bytes to checksum.</param>
    /// <returns>The checksum as Kafka writes it.</returns>
    public static uint Compute(ReadOnlySpan<byte> data) => System.IO.Hashing.Crc32.HashToUInt32(data);
}
