using System.Text;

namespace KafkaNative.Consumer.Tests;

public class DeserializerTests
{
    private static readonly DeserializationContext Context = new("t", 0, false);

    private sealed record Point(int X, int Y);

    [Fact]
    public void Utf8_NullEmptyAndText()
    {
        Assert.Null(Deserializers.Utf8.Deserialize([], true, Context));
        Assert.Equal("", Deserializers.Utf8.Deserialize([], false, Context));
        Assert.Equal("héllo", Deserializers.Utf8.Deserialize(Encoding.UTF8.GetBytes("héllo"), false, Context));
    }

    [Fact]
    public void Bytes_AreCopies()
    {
        byte[] source = [1, 2, 3];
        byte[]? copy = Deserializers.ByteArray.Deserialize(source, false, Context);
        ReadOnlyMemory<byte> memory = Deserializers.Memory.Deserialize(source, false, Context);
        source[0] = 9;
        Assert.Equal([1, 2, 3], copy);
        Assert.Equal([1, 2, 3], memory.ToArray());
        Assert.Null(Deserializers.ByteArray.Deserialize([], true, Context));
        Assert.True(Deserializers.Memory.Deserialize([], true, Context).IsEmpty);
    }

    [Fact]
    public void Integers_BigEndian_WrongLengthIsAnError()
    {
        Assert.Equal(0x01020304, Deserializers.Int32.Deserialize([1, 2, 3, 4], false, Context));
        Assert.Equal(-2L, Deserializers.Int64.Deserialize([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE], false, Context));
        Assert.Equal(0, Deserializers.Int32.Deserialize([], true, Context));
        Assert.Throws<FormatException>(() => Deserializers.Int32.Deserialize([1, 2, 3], false, Context));
        Assert.Throws<FormatException>(() => Deserializers.Int64.Deserialize([1, 2, 3, 4], false, Context));
    }

    [Fact]
    public void Json_AndNull()
    {
        var json = Deserializers.Json<Point>();
        Assert.Equal(new Point(1, 2), json.Deserialize("{\"X\":1,\"Y\":2}"u8, false, Context));
        Assert.Null(json.Deserialize([], true, Context));
    }

    [Fact]
    public void Defaults_ForBuiltInTypes()
    {
        Assert.Same(Deserializers.Utf8, Deserializers.DefaultFor<string>());
        Assert.Same(Deserializers.ByteArray, Deserializers.DefaultFor<byte[]>());
        Assert.Same(Deserializers.Memory, Deserializers.DefaultFor<ReadOnlyMemory<byte>>());
        Assert.Same(Deserializers.Int32, Deserializers.DefaultFor<int>());
        Assert.Same(Deserializers.Int64, Deserializers.DefaultFor<long>());
        Assert.Null(Deserializers.DefaultFor<Point>());
    }
}
