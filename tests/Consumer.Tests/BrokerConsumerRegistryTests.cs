using KafkaNative.Client;
using KafkaNative.Consumer.Fetching;

namespace KafkaNative.Consumer.Tests;

public class BrokerConsumerRegistryTests
{
    [Fact]
    public async Task Dispose_WaitsForReleasedBrokerConsumerLoopsToo()
    {
        var options = new ConsumerOptions { BootstrapServers = "127.0.0.1:1" };
        await using var cluster = new KafkaCluster(options);
        var context = new ConsumerContext(cluster, options, _ => { });
        BrokerConsumer released = context.Registry.Acquire(1);
        BrokerConsumer held = context.Registry.Acquire(2);
        context.Registry.Release(released);   // stopped, no longer in the registry's table

        await context.Registry.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(released.Completion.IsCompletedSuccessfully);
        Assert.True(held.Completion.IsCompletedSuccessfully);
        Assert.Equal(0, context.Registry.Count);
    }
}
