using KafkaNative.Client;
using KafkaNative.Admin;
using KafkaNative.Producer;
using KafkaNative.Protocol;

namespace KafkaNative.Sim.Tests;

public class TopicConfigTests
{
    [Fact]
    public async Task AnAlteredLimitReachesTheReplicasAndUnknownNamesAreRefused()
    {
        await using var cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3 });
        await cluster.CreateTopicAsync("limited", 1);
        await using var admin = new KafkaAdminClient(new KafkaClientOptions { BootstrapServers = cluster.BootstrapServers });
        var topic = new ConfigResource(ConfigResourceType.Topic, "limited");

        await admin.AlterConfigsAsync(topic, [new ConfigAlteration("max.message.bytes", "2000")]);
        Assert.Contains(await admin.DescribeConfigsAsync(topic), c => c.Name == "max.message.bytes" && c.Value == "2000");

        await using var producer = new KafkaProducer<string, string>(new ProducerOptions { BootstrapServers = cluster.BootstrapServers });
        await producer.ProduceAsync("limited", "k", "small");
        var tooLarge = await Assert.ThrowsAsync<ProduceException>(async () => await producer.ProduceAsync("limited", "k", new string('x', 5_000)));
        Assert.Equal(ErrorCode.MessageTooLarge, tooLarge.ErrorCode);

        var unknown = await Assert.ThrowsAnyAsync<KafkaErrorException>(() => admin.AlterConfigsAsync(topic, [new ConfigAlteration("no.such.config", "1")]));
        Assert.Equal(ErrorCode.InvalidConfig, unknown.ErrorCode);
    }
}
