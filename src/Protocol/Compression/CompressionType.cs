namespace KafkaNative;

/// <summary>Compression codecs, numbered as in the low three bits of a record batch's attributes.</summary>
public enum CompressionType : byte
{
    /// <summary>No compression.</summary>
    None = 0,

    /// <summary>gzip (RFC 1952).</summary>
    Gzip = 1,

    /// <summary>Snappy, in the xerial framing Java clients write; raw Snappy is read too.</summary>
    Snappy = 2,

    /// <summary>LZ4 frame format.</summary>
    Lz4 = 3,

    /// <summary>Zstandard (KIP-110).</summary>
    Zstd = 4,
}
