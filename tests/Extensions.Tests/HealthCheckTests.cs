using KafkaNative.Sim;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace KafkaNative.Extensions.Tests;

public class HealthCheckTests
{
    [Fact]
    public async Task HealthyWhileConsuming_UnhealthyWhileTheClusterIsDown_HealthyAgainAfter()
    {
        await using SimulatedCluster cluster = await SimKafka.StartAsync(("orders", 2), ("orders.DLT", 1));
        var recorder = new Recorder();
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(recorder);
        builder.Services.AddKafkaConsumerHandler<string, string, RecordingHandler>("orders", o => o.Topics = ["orders"], o => SimKafka.Configure(o, cluster, "health"));
        builder.Services.AddKafkaProducer<string, string>(configure: o => SimKafka.Configure(o, cluster));
        builder.Services.AddHealthChecks()
            .AddKafkaConsumerHealthCheck("orders")
            .AddKafkaProducerHealthCheck<string, string>();
        using IHost host = builder.Build();
        HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();

        async Task<HealthReportEntry> ConsumerHealthAsync() => (await health.CheckHealthAsync()).Entries["kafka-consumer-orders"];
        HealthReportEntry before = await ConsumerHealthAsync();
        Assert.Equal(HealthStatus.Degraded, before.Status);
        Assert.Contains("not started", before.Description);

        await host.StartAsync();
        await host.Services.GetRequiredService<IKafkaProducer<string, string>>().ProduceAsync("orders", "k", "v");
        await Eventually.TrueAsync(() => recorder.Handled.Count == 1, "the record handled");
        HealthReportEntry consuming = default;
        await Eventually.TrueAsync(async () => (consuming = await ConsumerHealthAsync()).Status == HealthStatus.Healthy, () => $"Healthy (now {consuming.Status}: {consuming.Description})");
        Assert.Contains("Consuming 2 partitions", consuming.Description);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Entries["kafka-producer"].Status);

        int broker = cluster.BrokerIds.Single();
        await cluster.StopBrokerAsync(broker);
        HealthReportEntry down = default;
        await Eventually.TrueAsync(async () => (down = await ConsumerHealthAsync()).Status == HealthStatus.Unhealthy, () => $"Unhealthy (now {down.Status}: {down.Description})");
        Assert.Contains("unreachable", down.Description);

        await cluster.StartBrokerAsync(broker);
        HealthReportEntry back = default;
        await Eventually.TrueAsync(async () => (back = await ConsumerHealthAsync()).Status == HealthStatus.Healthy, () => $"Healthy again (now {back.Status}: {back.Description})");
        await host.StopAsync();

        HealthReportEntry stopped = await ConsumerHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, stopped.Status);
        Assert.Contains("has stopped", stopped.Description);
    }
}
