namespace KafkaNative.Integration.Tests.Brokers;

/// <summary>A cluster someone else runs (KAFKA_BOOTSTRAP_SERVERS), or a placeholder saying why a fixture has none.</summary>
public sealed class ExternalBroker(BrokerMode mode, string bootstrapServers, string? unavailable) : IBrokerUnderTest
{
    public const string Variable = "KAFKA_BOOTSTRAP_SERVERS";

    public static string? ConfiguredServers => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } servers ? servers : null;

    public static ExternalBroker Skipped(BrokerMode mode, string reason) => new(mode, "", reason);

    public BrokerMode Mode => mode;

    public string BootstrapServers => bootstrapServers;

    public string? Unavailable => unavailable;

    public string? CannotRestart => "the suite does not control the brokers of an external cluster";

    public Task RestartLeaderAsync(string topic, int partition) => throw new NotSupportedException(CannotRestart);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
