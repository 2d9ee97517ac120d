using KafkaNative.Protocol;
using KafkaNative.Sim;
using Microsoft.Extensions.Time.Testing;

namespace KafkaNative.Producer.Tests;

/// <summary>The producer's linger and timestamps run on <see cref="KafkaNative.Client.KafkaClientOptions.TimeProvider"/>, not the machine's clock.</summary>
public class ProducerFakeTimeTests
{
    [Fact]
    public async Task ABatchLingersUntilTheFakeClockPassesTheLingerAndCarriesTheFakeClocksTimestamp()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1 });
        await cluster.CreateTopicAsync("lingering", 1, replicationFactor: 1);
        await using var producer = new KafkaProducer<string, string>(new ProducerOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            // A minute of real linger would time the test out; on the fake clock it passes in a few advances.
            Linger = TimeSpan.FromMinutes(1),
            // The simulated broker answers in real time while the test races the fake clock ahead.
            RequestTimeout = TimeSpan.FromHours(1),
            DeliveryTimeout = TimeSpan.FromHours(2),
            TimeProvider = time,
        });

        DateTimeOffset produced = time.GetUtcNow();
        Task<DeliveryResult> delivery = producer.ProduceAsync("lingering", "k", "v").AsTask();
        await time.AdvanceUntilAsync(() => delivery.IsCompleted, TimeSpan.FromSeconds(5), "the lingering batch delivered");
        DeliveryResult result = await delivery;

        Assert.True(time.GetUtcNow() - produced >= TimeSpan.FromMinutes(1), $"sent {time.GetUtcNow() - produced} after it was produced");
        Assert.Equal(1, cluster.RequestCount(0, ApiKey.Produce));
        Assert.Equal(produced.ToUnixTimeMilliseconds(), result.Timestamp.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task AFlushSendsRecordsThatWereStillWaitingForMetadataWithoutLingering()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1 });
        await cluster.CreateTopicAsync("flushed", 3, replicationFactor: 1);
        var producer = new KafkaProducer<string, string>(new ProducerOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            // The fake clock never moves: a batch that waited for its linger would never be sent.
            Linger = TimeSpan.FromMinutes(10),
            RequestTimeout = TimeSpan.FromHours(1),
            DeliveryTimeout = TimeSpan.FromHours(2),
            TimeProvider = time,
        });

        try
        {
            // A new producer knows no metadata yet: the flush starts while these records wait for it.
            ValueTask<DeliveryResult>[] deliveries = [.. Enumerable.Range(0, 30).Select(i => producer.ProduceAsync("flushed", $"k{i}", "v"))];
            await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));

            Assert.All(deliveries, d => Assert.True(d.IsCompletedSuccessfully));
            Assert.Equal(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero), time.GetUtcNow());
        }
        finally
        {
            // Past the linger and the close timeout, so closing ends even when the flush did not.
            time.Advance(TimeSpan.FromHours(3));
            await producer.DisposeAsync();
        }
    }
}
