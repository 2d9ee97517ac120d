using System.Text;
using KafkaNative.Producer;
using KafkaNative.Sim;
using Xunit.Abstractions;
using Rd = Confluent.Kafka;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// A librdkafka 2.16 member of a consumer-protocol group (KIP-848) subscribing by regex: librdkafka sends it to the
/// coordinator (SubscribedTopicRegex, ConsumerGroupHeartbeat v1), which resolves it against the cluster's topics,
/// including a topic created later; topics that do not match stay unread.
/// </summary>
public class ConsumerProtocolRegexTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ARegexSubscription_IsResolvedByTheCoordinator_AndFollowsNewTopics()
    {
        await using SimulatedCluster sim = await Kip848.StartAsync();
        await sim.CreateTopicAsync("orders-eu", 2, 3);
        await sim.CreateTopicAsync("payments", 2, 3);
        await using var producer = new KafkaProducer<byte[]?, byte[]?>(Sims.OurProducer(sim));
        const string group = "kip848-regex";
        var seen = new System.Collections.Concurrent.ConcurrentBag<string>();

        using Rd.IConsumer<byte[]?, byte[]?> consumer = Librdkafka.ConsumerBuilder(Kip848.ConsumerConfig(sim, group), output).Build();
        consumer.Subscribe("^orders-.*");
        using var stop = new CancellationTokenSource();
        Task loop = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (consumer.Consume(TimeSpan.FromMilliseconds(50)) is { } result) seen.Add($"{result.Topic}:{Encoding.UTF8.GetString(result.Message.Value!)}");
                }
                catch (Rd.ConsumeException) { }
            }
        }, TaskCreationOptions.LongRunning);
        try
        {
            await Eventually.TrueAsync(() => sim.ConsumerGroup(group) is { State: "Stable", Owners.Count: 2 }, "the member to own orders-eu");
            ConsumerGroupView view = sim.ConsumerGroup(group)!;
            Assert.All(view.Owners.Keys, k => Assert.Equal("orders-eu", k.Topic));

            await sim.CreateTopicAsync("orders-us", 3, 3);
            await Eventually.TrueAsync(() => sim.ConsumerGroup(group) is { State: "Stable", Owners.Count: 5 }, () => $"the member to own orders-us too: {ConsumerProtocolGroupTests.Describe(sim.ConsumerGroup(group))}");

            foreach (string topic in new[] { "orders-eu", "orders-us", "payments" })
                await producer.ProduceAsync(topic, 0, null, Encoding.UTF8.GetBytes(topic));
            await Eventually.TrueAsync(() => seen.Contains("orders-eu:orders-eu") && seen.Contains("orders-us:orders-us"), "both orders topics read");
            Assert.DoesNotContain("payments:payments", seen);
        }
        finally
        {
            await stop.CancelAsync();
            await loop;
            consumer.Close();
        }
    }
}
