using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KafkaNative.Extensions.Tests;

public class RegistrationTests
{
    private static HostApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    [Fact]
    public async Task NamedAndDefaultClientsResolve_WithOptionsFromConfigurationInBothDurationForms()
    {
        HostApplicationBuilder builder = Builder(new()
        {
            ["Kafka:Producer:BootstrapServers"] = "localhost:9092",
            ["Kafka:Producers:orders:BootstrapServers"] = "orders:9092",
            ["Kafka:Producers:orders:Linger"] = "30s",
            ["Kafka:Producers:orders:DeliveryTimeout"] = "00:00:30",
            ["Kafka:Producers:orders:RequestTimeout"] = "500ms",
            ["Kafka:Producers:orders:MetadataMaxAge"] = "2m",
            ["Kafka:Producers:orders:Compression"] = "zstd",
            ["Kafka:Producers:orders:Sasl:Mechanism"] = "Plain",
            ["Kafka:Producers:orders:Sasl:Username"] = "u",
            ["Kafka:Producers:orders:Sasl:Password"] = "p",
            ["Kafka:Consumers:audit:BootstrapServers"] = "audit:9092",
            ["Kafka:Consumers:audit:GroupId"] = "auditors",
            ["Kafka:Consumers:audit:SessionTimeout"] = "1h",
            ["Kafka:Consumers:audit:MaxPollInterval"] = "0.02:00:00",
            ["Kafka:Consumers:audit:AssignmentStrategies:0"] = "CooperativeSticky",
        });
        var clock = new FakeTimeProvider();
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddKafkaProducer<string, string>();
        builder.Services.AddKafkaProducer<string, string>("orders", o => o.ClientId = "from-code");
        builder.Services.AddKafkaConsumer<string, string>("audit");
        using IHost host = builder.Build();

        Assert.NotNull(host.Services.GetRequiredService<IKafkaProducer<string, string>>());
        Assert.NotNull(host.Services.GetRequiredKeyedService<IKafkaProducer<string, string>>("orders"));
        Assert.NotNull(host.Services.GetRequiredKeyedService<IKafkaConsumer<string, string>>("audit"));

        IOptionsMonitor<ProducerOptions> producers = host.Services.GetRequiredService<IOptionsMonitor<ProducerOptions>>();
        ProducerOptions orders = producers.Get("orders");
        Assert.Equal("orders:9092", orders.BootstrapServers);
        Assert.Equal("from-code", orders.ClientId);
        Assert.Equal(TimeSpan.FromSeconds(30), orders.Linger);
        Assert.Equal(TimeSpan.FromSeconds(30), orders.DeliveryTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), orders.RequestTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), orders.MetadataMaxAge);
        Assert.Equal(CompressionType.Zstd, orders.Compression);
        Assert.Equal(SaslMechanism.Plain, orders.Sasl!.Mechanism);
        Assert.Same(clock, orders.TimeProvider);
        Assert.Equal("localhost:9092", producers.Get(Options.DefaultName).BootstrapServers);

        ConsumerOptions audit = host.Services.GetRequiredService<IOptionsMonitor<ConsumerOptions>>().Get("audit");
        Assert.Equal(TimeSpan.FromHours(1), audit.SessionTimeout);
        Assert.Equal(TimeSpan.FromHours(2), audit.MaxPollInterval);
        // The list replaces the default [Range, RoundRobin] rather than appending to it.
        Assert.Equal([PartitionAssignmentStrategy.CooperativeSticky], audit.AssignmentStrategies);
        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public void ListGivenAsOneCommaSeparatedValue_AlsoReplacesTheDefault()
    {
        HostApplicationBuilder builder = Builder(new()
        {
            ["Kafka:Consumer:BootstrapServers"] = "b:9092",
            ["Kafka:Consumer:AssignmentStrategies"] = "RoundRobin",
        });
        builder.Services.AddKafkaConsumer<string, string>();
        using IHost host = builder.Build();
        Assert.Equal([PartitionAssignmentStrategy.RoundRobin], host.Services.GetRequiredService<IOptions<ConsumerOptions>>().Value.AssignmentStrategies);
    }

    [Fact]
    public async Task BadOrUnknownSettings_StopTheHostAtStart_NamingEachKey()
    {
        HostApplicationBuilder builder = Builder(new()
        {
            ["Kafka:Producers:orders:BootstrapServers"] = "b:9092",
            ["Kafka:Producers:orders:Linger"] = "5 fortnights",
            ["Kafka:Producers:orders:Lingr"] = "5ms",
            ["Kafka:Producers:orders:Acks"] = "7",
            ["Kafka:Producers:orders:Transport"] = "tcp",
        });
        builder.Services.AddKafkaProducer<string, string>("orders");
        using IHost host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Kafka:Producers:orders:Linger: '5 fortnights' is not a duration", error.Message);
        Assert.Contains("Kafka:Producers:orders:Lingr is not a setting of ProducerOptions", error.Message);
        Assert.Contains("Kafka:Producers:orders:Acks: '7' is not one of", error.Message);
        Assert.Contains("Kafka:Producers:orders:Transport cannot be set from configuration", error.Message);
    }

    [Fact]
    public async Task OptionsThatFailTheirOwnValidation_StopTheHostAtStart()
    {
        HostApplicationBuilder builder = Builder(new()
        {
            ["Kafka:Consumers:c:BootstrapServers"] = "b:9092",
            ["Kafka:Consumers:c:HeartbeatInterval"] = "10s",
            ["Kafka:Consumers:c:SessionTimeout"] = "5s",
        });
        builder.Services.AddKafkaConsumer<string, string>("c");
        using IHost host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("ConsumerOptions 'c': HeartbeatInterval (00:00:10) must be less than SessionTimeout (00:00:05)", error.Message);
    }

    private sealed class UpperCase : ISerializer<string>
    {
        public void Serialize(string value, System.Buffers.IBufferWriter<byte> output) => System.Buffers.BuffersExtensions.Write(output, System.Text.Encoding.UTF8.GetBytes(value.ToUpperInvariant()).AsSpan());
    }

    [Fact]
    public async Task TheProducerTakesItsSerializerFromTheContainer_AndDisposingTheHostFlushesWhatItBuffered()
    {
        await using KafkaNative.Sim.SimulatedCluster cluster = await SimKafka.StartAsync(("flushed", 1));
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddKeyedSingleton<ISerializer<string>>("orders", new UpperCase());
        // A linger long enough that the records are still buffered when the host goes away.
        builder.Services.AddKafkaProducer<string, string>("orders", o =>
        {
            SimKafka.Configure(o, cluster);
            o.Linger = TimeSpan.FromSeconds(2);
        });
        IHost host = builder.Build();
        await host.StartAsync();
        IKafkaProducer<string, string> producer = host.Services.GetRequiredKeyedService<IKafkaProducer<string, string>>("orders");
        await producer.ProduceAsync("flushed", "warm", "warm");
        for (int i = 0; i < 10; i++) await producer.EnqueueAsync("flushed", $"k{i}", $"v{i}");
        Assert.Equal(10, producer.PendingRecords);
        await host.StopAsync();
        await ((IAsyncDisposable)host).DisposeAsync();

        List<ConsumeResult<byte[]?, byte[]?>> stored = await SimKafka.ReadAsync(cluster, "flushed", 1, 11);
        Assert.Equal(["WARM", .. Enumerable.Range(0, 10).Select(i => $"V{i}")], stored.Select(r => System.Text.Encoding.UTF8.GetString(r.Value!)));
    }
}
