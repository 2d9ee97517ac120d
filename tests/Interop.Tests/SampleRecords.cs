using System.Text;

namespace KafkaNative.Interop.Tests;

/// <summary>A record header as both clients see it: a key and a value that may be null.</summary>
internal sealed record Header(string Key, byte[]? Value);

/// <summary>
/// A record as one client wrote it or another read it, reduced to what must survive the trip exactly:
/// partition, key, value, headers (order and duplicates included) and timestamp. Byte arrays compare by
/// content through <see cref="ToString"/>, so a mismatch shows both sides in full.
/// </summary>
internal sealed record SampleRecord(int Partition, byte[]? Key, byte[]? Value, IReadOnlyList<Header> Headers, long TimestampMs)
{
    public override string ToString() =>
        $"p{Partition} ts={TimestampMs} key={Hex(Key)} value={Hex(Value)} headers=[{string.Join(", ", Headers.Select(h => $"{h.Key}={Hex(h.Value)}"))}]";

    private static string Hex(byte[]? bytes) => bytes is null ? "null" : bytes.Length == 0 ? "empty" : Convert.ToHexString(bytes);
}

/// <summary>Records built to catch encoding slips: null and empty keys and values, every byte value, compressible and incompressible runs, null and duplicate headers, non-ASCII header keys.</summary>
internal static class SampleRecords
{
    /// <summary>A fixed CreateTime base, so a client that stamps its own clock instead is caught.</summary>
    public const long BaseTimestampMs = 1_700_000_000_000;

    public static IReadOnlyList<SampleRecord> Create(int count, int partitions = 1, bool withTimestamps = true) =>
        Enumerable.Range(0, count).Select(i => new SampleRecord(
            Partition: i % partitions,
            Key: (i % 9) switch { 0 => null, 1 => [], _ => Encoding.UTF8.GetBytes($"key-{i}-é✓") },
            Value: Value(i),
            Headers: Headers(i),
            TimestampMs: withTimestamps ? BaseTimestampMs + i * 37 : 0)).ToList();

    private static byte[]? Value(int i) => (i % 13) switch
    {
        0 => null,
        1 => [],
        2 => Enumerable.Range(0, 256 + i).Select(b => (byte)b).ToArray(),
        3 => new Random(i).GetItems<byte>(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), 2000 + i),
        _ => Encoding.UTF8.GetBytes($"value-{i}-" + new string((char)('a' + i % 26), i % 300)),
    };

    private static Header[] Headers(int i) => (i % 5) switch
    {
        0 => [],
        1 => [new("trace", Encoding.UTF8.GetBytes($"t{i}"))],
        2 => [new("null-value", null), new("empty", [])],
        3 => [new("dup", [1]), new("dup", [2]), new("ключ✓", Encoding.UTF8.GetBytes("значение"))],
        _ => [new("binary", [0, 255, 0, 128])],
    };
}
