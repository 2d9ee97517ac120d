using System.Text;
using KafkaNative.Sim;
using Xunit.Abstractions;
using Rd = Confluent.Kafka;

namespace KafkaNative.Interop.Tests;

/// <summary>Independent readers of a topic written with transactions: ours, librdkafka's (read_committed) and kcat's.</summary>
internal static class TransactionReaders
{
    public static async Task<List<string>> OurReadAsync(SimulatedCluster sim, string topic, int partitions, IsolationLevel isolation, int count)
    {
        var options = Sims.OurConsumer(sim);
        options.IsolationLevel = isolation;
        await using var consumer = new KafkaConsumer<byte[]?, byte[]?>(options);
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, TopicPartitionOffset.Beginning)));
        var read = await OurClients.ConsumeAsync(consumer, count);
        return read.Select(r => Encoding.UTF8.GetString(r.Value!)).ToList();
    }

    public static async Task<List<string>> ConfluentReadAsync(ITestOutputHelper output, SimulatedCluster sim, string topic, int partitions, int count)
    {
        var config = Librdkafka.ConsumerConfig(sim);
        config.IsolationLevel = Rd.IsolationLevel.ReadCommitted;
        using Rd.IConsumer<byte[]?, byte[]?> consumer = Librdkafka.ConsumerBuilder(config, output).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new Rd.TopicPartitionOffset(topic, p, Rd.Offset.Beginning)));
        var read = await Librdkafka.ConsumeAsync(consumer, count);
        return read.Select(r => Encoding.UTF8.GetString(r.Message.Value!)).ToList();
    }

    public static async Task<List<string>> KcatReadAsync(SimulatedCluster sim, string topic, string isolation)
    {
        Kcat.Result result = await Kcat.RunAsync($"-b {sim.BootstrapServers} -C -t {topic} -e -o beginning -q -f %s\\n -X isolation.level={isolation}", Sims.Generous);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
