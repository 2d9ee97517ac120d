using KafkaNative.Consumer.Groups;
using KafkaNative.Protocol;

namespace KafkaNative.Consumer.Tests;

public class ConsumerProtocolTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    [Fact]
    public void Subscription_V1_BytesAsLibrdkafkaWritesThem()
    {
        // version 1, topics ["a","bc"], null user data, owned [a: 0, 2]
        byte[] expected = Hex("0001 00000002 0001 61 0002 6263 FFFFFFFF 00000001 0001 61 00000002 00000000 00000002");
        byte[] actual = ConsumerProtocol.EncodeSubscription(["bc", "a"], [new("a", 2), new("a", 0)], 7, null, version: 1);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(actual));
    }

    [Fact]
    public void Subscription_V3_AppendsGenerationAndRack()
    {
        byte[] actual = ConsumerProtocol.EncodeSubscription(["a"], [], 7, "r1");
        byte[] expected = Hex("0003 00000001 0001 61 FFFFFFFF 00000000 00000007 0002 7231");
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(actual));
        var decoded = ConsumerProtocol.DecodeSubscription("m", "i", actual);
        Assert.Equal(["a"], decoded.Topics);
        Assert.Equal(7, decoded.Generation);
        Assert.Equal("i", decoded.GroupInstanceId);
    }

    [Fact]
    public void Subscription_V0FromOldClients_AndNewerVersionsWithTrailingFields_Decode()
    {
        var v0 = ConsumerProtocol.DecodeSubscription("m", null, Hex("0000 00000001 0001 74 00000000"));
        Assert.Equal(["t"], v0.Topics);
        Assert.Empty(v0.OwnedPartitions);
        // A future version 9 with extra bytes after the fields we know.
        var v9 = ConsumerProtocol.DecodeSubscription("m", null, Hex("0009 00000001 0001 74 FFFFFFFF 00000001 0001 74 00000001 00000003 00000002 FFFF DEADBEEF"));
        Assert.Equal([new TopicPartition("t", 3)], v9.OwnedPartitions);
        Assert.Equal(2, v9.Generation);
    }

    [Fact]
    public void Assignment_BytesAsJavaWritesThem_RoundTrip()
    {
        byte[] encoded = ConsumerProtocol.EncodeAssignment([new("b", 1), new("a", 0), new("b", 0)]);
        byte[] expected = Hex("0003 00000002 0001 61 00000001 00000000 0001 62 00000002 00000000 00000001 FFFFFFFF");
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(encoded));
        Assert.Equal([new("a", 0), new("b", 0), new("b", 1)], ConsumerProtocol.DecodeAssignment(encoded));
    }

    [Fact]
    public void Assignment_V0FromLibrdkafka_WithUserData_AndEmpty()
    {
        // librdkafka writes version 0 with empty (not null) user data.
        var decoded = ConsumerProtocol.DecodeAssignment(Hex("0000 00000001 0001 74 00000002 00000001 00000000 00000000"));
        Assert.Equal([new("t", 0), new("t", 1)], decoded);
        Assert.Empty(ConsumerProtocol.DecodeAssignment(ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public void Garbage_GivesProtocolException_NotACrash()
    {
        Assert.ThrowsAny<KafkaProtocolException>(() => ConsumerProtocol.DecodeAssignment(Hex("0000 7FFFFFFF")));
        Assert.ThrowsAny<KafkaProtocolException>(() => ConsumerProtocol.DecodeSubscription("m", null, Hex("FFFF")));
        Assert.ThrowsAny<KafkaProtocolException>(() => ConsumerProtocol.DecodeSubscription("m", null, Hex("00")));
    }
}
