using KafkaNative.Sim;

namespace KafkaNative.Producer.Tests;

public class ProducerTests
{
    private static ProducerOptions Options(SimulatedCluster cluster) => new()
    {
        BootstrapServers = cluster.BootstrapServers,
        Linger = TimeSpan.FromMilliseconds(2),
        DeliveryTimeout = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public async Task AcknowledgedRecordsAreInTheLogOnceAndInOrder()
    {
        await using var cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3 });
        await cluster.CreateTopicAsync("orders", 4);
        await using var producer = new KafkaProducer<string, string>(Options(cluster));

        var results = await Task.WhenAll(Enumerable.Range(0, 2_000)
            .Select(i => producer.ProduceAsync("orders", $"customer-{i % 37}", $"order-{i:D6}").AsTask()));

        var log = ClusterLog.ReadAll(cluster, "orders", 4);
        foreach (DeliveryResult result in results)
        {
            Assert.Equal("orders", result.Topic);
            var stored = log[result.Partition].Single(r => r.Offset == result.Offset);
            Assert.StartsWith("order-", stored.Value);
        }
        var all = log.Values.SelectMany(v => v).Select(r => r.Value).ToList();
        Assert.Equal(2_000, all.Count);
        Assert.Equal(2_000, all.Distinct().Count());
        // One key, one partition, and the key's records in the order they were produced.
        foreach (var partition in log.Values)
        {
            var sequence = partition.Select(r => int.Parse(r.Value["order-".Length..])).ToList();
            foreach (var group in sequence.GroupBy(i => i % 37)) Assert.Equal(group.Order(), group);
        }
    }
}
