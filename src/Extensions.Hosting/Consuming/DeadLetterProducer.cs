namespace KafkaNative.Extensions.Hosting;

/// <summary>The settings of a hosted consumer's dead-letter producer: the consumer's connection settings (same cluster, security, transport, logging and clock).</summary>
internal static class DeadLetterProducer
{
    public static ProducerOptions OptionsFrom(ConsumerOptions consumer) => new()
    {
        BootstrapServers = consumer.BootstrapServers,
        ClientId = consumer.ClientId + "-dlt",
        ConnectTimeout = consumer.ConnectTimeout,
        RequestTimeout = consumer.RequestTimeout,
        MetadataMaxAge = consumer.MetadataMaxAge,
        MetadataMinRefreshInterval = consumer.MetadataMinRefreshInterval,
        MetadataRecoveryStrategy = consumer.MetadataRecoveryStrategy,
        MetadataRecoveryRebootstrapTrigger = consumer.MetadataRecoveryRebootstrapTrigger,
        ReconnectBackoffMin = consumer.ReconnectBackoffMin,
        ReconnectBackoffMax = consumer.ReconnectBackoffMax,
        AllowAutoTopicCreation = consumer.AllowAutoTopicCreation,
        MaxInFlightPerConnection = consumer.MaxInFlightPerConnection,
        MaxResponseSize = consumer.MaxResponseSize,
        Tls = consumer.Tls,
        Sasl = consumer.Sasl,
        Transport = consumer.Transport,
        LoggerFactory = consumer.LoggerFactory,
        TimeProvider = consumer.TimeProvider,
    };
}
