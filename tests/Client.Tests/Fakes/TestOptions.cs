namespace KafkaNative.Client.Tests.Fakes;

internal static class TestOptions
{
    /// <summary>Generous bound for anything that must not hang; machines are noisy.</summary>
    public static readonly TimeSpan NoHang = TimeSpan.FromSeconds(20);

    public static KafkaClientOptions For(string bootstrap, Action<KafkaClientOptions>? configure = null)
    {
        var options = new KafkaClientOptions
        {
            BootstrapServers = bootstrap,
            ClientId = "client-tests",
            ConnectTimeout = TimeSpan.FromSeconds(10),
            RequestTimeout = TimeSpan.FromSeconds(10),
            ReconnectBackoffMin = TimeSpan.FromMilliseconds(50),
            ReconnectBackoffMax = TimeSpan.FromMilliseconds(500),
            MetadataMinRefreshInterval = TimeSpan.Zero,
        };
        configure?.Invoke(options);
        options.Validate();
        return options;
    }

    public static Task<BrokerConnection> ConnectAsync(FakeBroker broker, Action<KafkaClientOptions>? configure = null) =>
        BrokerConnection.ConnectAsync(broker.NodeId, broker.Endpoint, For(broker.Bootstrap, configure));
}
