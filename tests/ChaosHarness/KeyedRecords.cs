using System.Buffers.Text;

namespace KafkaNative.Chaos;

/// <summary>
/// The workloads' records: record <c>i</c> has key <c>i % Keys</c> and is that key's record number
/// <c>i / Keys</c>, and its value spells both ("0007:000000042"), so a checker reading the log back
/// knows each record's identity and the order its key's records were produced in.
/// </summary>
public static class KeyedRecords
{
    /// <summary>Distinct keys; enough to spread over every partition.</summary>
    public const int Keys = 64;

    /// <summary>The key number of record <paramref name="index"/>.</summary>
    public static int KeyOf(long index) => (int)(index % Keys);

    /// <summary>The per-key sequence number of record <paramref name="index"/>.</summary>
    public static long SequenceOf(long index) => index / Keys;

    /// <summary>The key string of record <paramref name="index"/>; the partitioner hashes it.</summary>
    public static string Key(long index) => $"key-{KeyOf(index):D4}";

    /// <summary>The value string of record <paramref name="index"/>: "key:sequence".</summary>
    public static string Value(long index) => $"{KeyOf(index):D4}:{SequenceOf(index):D9}";

    /// <summary>The record index a stored value encodes, or -1 when the value is not one of ours.</summary>
    public static long IndexOf(ReadOnlySpan<byte> value)
    {
        if (value.Length != 14 || value[4] != (byte)':') return -1;
        if (!Utf8Parser.TryParse(value[..4], out int key, out int keyLength) || keyLength != 4 || key is < 0 or >= Keys) return -1;
        if (!Utf8Parser.TryParse(value[5..], out long sequence, out int sequenceLength) || sequenceLength != 9 || sequence < 0) return -1;
        return sequence * Keys + key;
    }
}
