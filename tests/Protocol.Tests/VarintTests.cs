using KafkaNative.Protocol;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Protocol.Tests;

public class VarintTests
{
    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(63, new byte[] { 0x7E })]
    [InlineData(-64, new byte[] { 0x7F })]
    [InlineData(64, new byte[] { 0x80, 0x01 })]
    [InlineData(int.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void ZigZagVarIntMatchesKafkaEncoding(int value, byte[] expected)
    {
        var buffer = new byte[Varint.MaxLength32];
        int written = Varint.WriteSigned(buffer, value);
        Assert.Equal(expected, buffer[..written]);
        Assert.Equal(expected.Length, Varint.SizeOfSigned(value));

        var reader = new KafkaReader(expected);
        Assert.Equal(value, reader.ReadVarInt());
        Assert.True(reader.End);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(300L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(1_700_000_000_000L)]
    public void VarLongRoundTrips(long value)
    {
        var buffer = new byte[Varint.MaxLength64];
        int written = Varint.WriteSigned(buffer, value);
        Assert.Equal(Varint.SizeOfSigned(value), written);
        var reader = new KafkaReader(buffer.AsSpan(0, written));
        Assert.Equal(value, reader.ReadVarLong());
    }

    [Fact]
    public void VarIntLongerThanFiveBytesIsRejected()
    {
        byte[] input = [0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
        var ex = Assert.Throws<KafkaProtocolException>(() => new KafkaReader(input).ReadVarInt("Len"));
        Assert.Contains("longer than 5", ex.Message);
        Assert.Equal("Len", ex.Field);
        Assert.Equal(0, ex.Offset);
    }

    [Fact]
    public void VarLongLongerThanTenBytesIsRejected()
    {
        byte[] input = [.. Enumerable.Repeat((byte)0x80, 10), 0x01];
        var ex = Assert.Throws<KafkaProtocolException>(() => new KafkaReader(input).ReadVarLong());
        Assert.Contains("longer than 10", ex.Message);
    }

    [Fact]
    public void TruncatedVarIntIsRejected()
    {
        byte[] input = [0x80, 0x80];
        var ex = Assert.Throws<KafkaProtocolException>(() => new KafkaReader(input).ReadUnsignedVarInt());
        Assert.Contains("truncated", ex.Message);
    }
}
