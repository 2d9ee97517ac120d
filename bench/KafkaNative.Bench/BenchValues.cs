namespace KafkaNative.Bench;

/// <summary>
/// The value every bench client sends: its index as 10 zero-padded ASCII digits (so a reader can check
/// loss, duplicates and order), then filler letters. Plain ASCII with no newline, so kcat can read it
/// one value a line.
/// </summary>
internal static class BenchValues
{
    public const int PrefixLength = 10;

    // The filler repeats every 26 bytes: value i's filler is this pattern from (i + 10) % 26 on.
    private static readonly byte[] Filler = [.. Enumerable.Range(0, 26 + 64 * 1024).Select(i => (byte)('a' + i % 26))];

    public static void Fill(Span<byte> value, int index)
    {
        index.TryFormat(value[..PrefixLength], out _, "D10");
        int rest = value.Length - PrefixLength;
        int start = (index + PrefixLength) % 26;
        if (rest <= Filler.Length - start)
        {
            Filler.AsSpan(start, rest).CopyTo(value[PrefixLength..]);
            return;
        }
        for (int i = PrefixLength; i < value.Length; i++) value[i] = (byte)('a' + (index + i) % 26);
    }
}
