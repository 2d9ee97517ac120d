namespace KafkaNative.Bench;

/// <summary>
/// The value every bench client sends: its index as 10 zero-padded ASCII digits (so a reader can check
/// loss, duplicates and order), then filler letters. Plain ASCII with no newline, so kcat can read it
/// one value a line.
/// </summary>
internal static class BenchValues
{
    public const int PrefixLength = 10;

    public static void Fill(Span<byte> value, int index)
    {
        index.TryFormat(value[..PrefixLength], out _, "D10");
        for (int i = PrefixLength; i < value.Length; i++) value[i] = (byte)('a' + (index + i) % 26);
    }
}
