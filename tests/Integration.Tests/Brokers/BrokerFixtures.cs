namespace KafkaNative.Integration.Tests.Brokers;

/// <summary>An xunit class fixture holding one broker under test for a whole test class.</summary>
public abstract class BrokerFixture : IAsyncLifetime
{
    public IBrokerUnderTest Broker { get; private set; } = ExternalBroker.Skipped(BrokerMode.Sim, "not started");

    protected abstract Task<IBrokerUnderTest> StartAsync();

    public async Task InitializeAsync() => Broker = await StartAsync();

    public async Task DisposeAsync() => await Broker.DisposeAsync();
}

/// <summary>
/// The suite's broker, chosen in this order: KAFKA_BOOTSTRAP_SERVERS when set (any real cluster);
/// else a Testcontainers Kafka when a Docker engine answers; else the embedded Sim.
/// </summary>
public sealed class ChosenBrokerFixture : BrokerFixture
{
    protected override async Task<IBrokerUnderTest> StartAsync()
    {
        if (ExternalBroker.ConfiguredServers is { } servers) return new ExternalBroker(BrokerMode.External, servers, null);
        if (await DockerEngine.WhyUnavailableAsync() is null) return await ContainerBroker.StartAsync();
        return await SimBroker.StartAsync();
    }
}

/// <summary>
/// Always a Testcontainers Kafka, so a machine with Docker checks the Sim's answers against the real
/// thing; skipped, with the reason, where no engine answers or the chosen broker is already one.
/// </summary>
public sealed class TestcontainersFixture : BrokerFixture
{
    protected override async Task<IBrokerUnderTest> StartAsync()
    {
        if (await DockerEngine.WhyUnavailableAsync() is { } why) return ExternalBroker.Skipped(BrokerMode.Testcontainers, $"Testcontainers needs a Docker engine: {why}");
        if (ExternalBroker.ConfiguredServers is null)
            return ExternalBroker.Skipped(BrokerMode.Testcontainers, "the chosen-broker suite already runs against a Testcontainers Kafka on this machine");
        return await ContainerBroker.StartAsync();
    }
}
