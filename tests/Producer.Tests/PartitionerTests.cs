using System.Text;

namespace KafkaNative.Producer.Tests;

public class PartitionerTests
{
    // Kafka's UtilsTest.testMurmur2: the hashes the Java client computes for these keys.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2MatchesTheJavaClient(string key, int expected) =>
        Assert.Equal(expected, Murmur2.Hash(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public void Murmur2OfArbitraryBytesMatchesTheJavaClient() =>
        Assert.Equal(274204207, Murmur2.Hash([12, 42, 56, 24, 109, 111]));

    // Key -> partition pairs as the Java client's default partitioner assigns them:
    // (murmur2(key) & 0x7fffffff) % partitions.
    [Theory]
    [InlineData("foobar", 6, 1357151166 % 6)]
    [InlineData("21", 12, 1173551340 % 12)]
    [InlineData("a-little-bit-longer-string", 10, 661178819 % 10)]
    [InlineData("abc", 3, 479470107 % 3)]
    public void KeyedRecordsLandOnTheJavaClientsPartition(string key, int partitions, int expected)
    {
        var partitioner = new DefaultPartitioner();
        Assert.Equal(expected, partitioner.Partition("t", Encoding.UTF8.GetBytes(key), keyIsNull: false, partitions));
    }

    [Fact]
    public void UnkeyedRecordsStickToOnePartitionUntilItsBatchIsSent()
    {
        var partitioner = new DefaultPartitioner();
        int first = partitioner.Partition("t", default, keyIsNull: true, 8);
        for (int i = 0; i < 100; i++) Assert.Equal(first, partitioner.Partition("t", default, true, 8));

        partitioner.OnNewBatch("t", first);
        int second = partitioner.Partition("t", default, true, 8);
        Assert.NotEqual(first, second);
        Assert.InRange(second, 0, 7);
    }

    [Fact]
    public void StickinessFollowsAPartitionCountChange()
    {
        var partitioner = new DefaultPartitioner();
        for (int i = 0; i < 50; i++)
        {
            partitioner.Partition("t", default, true, 8);
            Assert.InRange(partitioner.Partition("t", default, true, 2), 0, 1);
        }
    }

    [Fact]
    public void RoundRobinCyclesThroughEveryPartition()
    {
        var partitioner = new RoundRobinPartitioner();
        var seen = Enumerable.Range(0, 10).Select(_ => partitioner.Partition("t", "k"u8, false, 5)).ToArray();
        Assert.Equal([0, 1, 2, 3, 4, 0, 1, 2, 3, 4], seen);
    }
}
