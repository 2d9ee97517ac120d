namespace KafkaNative.Integration.Tests.Brokers;

/// <summary>Where the suite's broker comes from.</summary>
public enum BrokerMode
{
    /// <summary>Any real cluster named by KAFKA_BOOTSTRAP_SERVERS.</summary>
    External,

    /// <summary>A single-node apache/kafka 4.x (KRaft) container started through Testcontainers.</summary>
    Testcontainers,

    /// <summary>The embedded SimulatedCluster on loopback.</summary>
    Sim,
}

/// <summary>A broker (or cluster) the suite runs against, whatever its kind.</summary>
public interface IBrokerUnderTest : IAsyncDisposable
{
    BrokerMode Mode { get; }

    string BootstrapServers { get; }

    /// <summary>Null when the cluster can be used; otherwise why every case of this fixture is skipped.</summary>
    string? Unavailable { get; }

    /// <summary>Null when a broker can be restarted under the test; otherwise why not in this mode.</summary>
    string? CannotRestart { get; }

    /// <summary>Restarts the broker leading <paramref name="topic"/>/<paramref name="partition"/> (a controlled shutdown, then a start).</summary>
    Task RestartLeaderAsync(string topic, int partition);
}
