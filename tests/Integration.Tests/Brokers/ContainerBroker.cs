using Testcontainers.Kafka;

namespace KafkaNative.Integration.Tests.Brokers;

/// <summary>A single-node Apache Kafka 4.x in KRaft mode, started through Testcontainers.</summary>
public sealed class ContainerBroker(KafkaContainer container) : IBrokerUnderTest
{
    /// <summary>The image: Apache's own, KRaft only since 4.0. KAFKA_IMAGE picks another 4.x tag.</summary>
    public static string Image => Environment.GetEnvironmentVariable("KAFKA_IMAGE") ?? "apache/kafka:4.1.0";

    public static async Task<ContainerBroker> StartAsync()
    {
        KafkaContainer container = new KafkaBuilder(Image).WithKRaft().Build();
        await container.StartAsync();
        return new ContainerBroker(container);
    }

    public BrokerMode Mode => BrokerMode.Testcontainers;

    // Testcontainers answers "PLAINTEXT://host:port".
    public string BootstrapServers => container.GetBootstrapAddress().Split("://")[^1].TrimEnd('/');

    public string? Unavailable => null;

    // A restarted container comes back on another mapped port, which the advertised listener does not follow.
    public string? CannotRestart => "a single-node container comes back on another port, so a restart is not a broker restart";

    public Task RestartLeaderAsync(string topic, int partition) => throw new NotSupportedException(CannotRestart);

    public ValueTask DisposeAsync() => container.DisposeAsync();
}
