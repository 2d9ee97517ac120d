using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Protocol.Tests;

public class CrcTests
{
    [Fact]
    public void Crc32CMatchesCheckValue() => Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));

    [Fact]
    public void Crc32MatchesCheckValue() => Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Fact]
    public void EmptyInputHasZeroChecksum()
    {
        Assert.Equal(0u, Crc32C.Compute(default));
        Assert.Equal(0u, Crc32.Compute(default));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(63)]
    [InlineData(1000)]
    [InlineData(70_001)]
    public void FastPathsMatchBitwiseReference(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        Assert.Equal(BitwiseCrc(data, 0x82F63B78u), Crc32C.Compute(data));
        Assert.Equal(BitwiseCrc(data, 0xEDB88320u), Crc32.Compute(data));
    }

    [Fact]
    public void AppendContinuesAChecksum()
    {
        var data = new byte[4099];
        new Random(7).NextBytes(data);
        for (int split = 0; split <= data.Length; split += 411)
        {
            Assert.Equal(Crc32C.Compute(data), Crc32C.Append(Crc32C.Compute(data.AsSpan(0, split)), data.AsSpan(split)));
        }
    }

    [Fact]
    public void UnalignedInputGivesTheSameChecksum()
    {
        var data = new byte[1027];
        new Random(3).NextBytes(data);
        uint expected = BitwiseCrc(data.AsSpan(3), 0x82F63B78u);
        Assert.Equal(expected, Crc32C.Compute(data.AsSpan(3)));
    }

    private static uint BitwiseCrc(ReadOnlySpan<byte> data, uint polynomial)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1;
        }
        return ~crc;
    }
}
