using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Protocol.Tests;

public class KafkaReaderNullBytesTests
{
    [Fact]
    public void CompactNullableBytesZeroIsNull()
    {
        var reader = new KafkaReader(new ReadOnlyMemory<byte>([0]));
        Assert.Null(reader.ReadCompactNullableBytes());
    }

    [Fact]
    public void CompactNullableBytesOneIsEmpty()
    {
        var reader = new KafkaReader(new ReadOnlyMemory<byte>([1]));
        ReadOnlyMemory<byte>? bytes = reader.ReadCompactNullableBytes();
        Assert.NotNull(bytes);
        Assert.True(bytes.Value.IsEmpty);
    }
}
