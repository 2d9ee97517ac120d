using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using KafkaNative.Protocol.Compression;

namespace KafkaNative.Extensions.Hosting.Configuration;

/// <summary>
/// What configuration may set on <see cref="ProducerOptions"/> and <see cref="ConsumerOptions"/>: every
/// plain setting by its property name. Settings that hold objects (transport, logger factory, clock,
/// partitioner, callbacks) come from code or from the container.
/// </summary>
internal static class KafkaSettings
{
    // Declared first: static fields initialize in order, and the client settings below refer to these.
    private static readonly SettingTable<KafkaTlsOptions> Tls = new SettingTable<KafkaTlsOptions>()
        .Bool(nameof(KafkaTlsOptions.VerifyHostName), (o, v) => o.VerifyHostName = v)
        .Bool(nameof(KafkaTlsOptions.CheckCertificateRevocation), (o, v) => o.CheckCertificateRevocation = v)
        .Enum<SslProtocols>(nameof(KafkaTlsOptions.EnabledProtocols), (o, v) => o.EnabledProtocols = v)
        // An empty Tls section (Tls:Enabled=true) turns TLS on with the defaults.
        .Bool("Enabled", (_, _) => { })
        .Text("CaCertificatePath", (o, path) =>
        {
            o.CaCertificates ??= [];
            o.CaCertificates.ImportFromPemFile(path);
        })
        .CodeOnly(nameof(KafkaTlsOptions.CaCertificates), "give CaCertificatePath (a PEM file), or set the certificates in code.")
        .CodeOnly(nameof(KafkaTlsOptions.ClientCertificate), "set the client certificate in code.");

    private static readonly SettingTable<KafkaSaslOptions> Sasl = new SettingTable<KafkaSaslOptions>()
        .Enum<SaslMechanism>(nameof(KafkaSaslOptions.Mechanism), (o, v) => o.Mechanism = v)
        .Text(nameof(KafkaSaslOptions.Username), (o, v) => o.Username = v)
        .Text(nameof(KafkaSaslOptions.Password), (o, v) => o.Password = v);

    public static readonly SettingTable<ProducerOptions> Producer = ClientSettings(new SettingTable<ProducerOptions>())
        .Enum<Acks>(nameof(ProducerOptions.Acks), (o, v) => o.Acks = v)
        .Bool(nameof(ProducerOptions.EnableIdempotence), (o, v) => o.EnableIdempotence = v)
        .NullableText(nameof(ProducerOptions.TransactionalId), (o, v) => o.TransactionalId = v)
        .Duration(nameof(ProducerOptions.TransactionTimeout), (o, v) => o.TransactionTimeout = v)
        .Duration(nameof(ProducerOptions.Linger), (o, v) => o.Linger = v)
        .Int(nameof(ProducerOptions.BatchSize), (o, v) => o.BatchSize = v)
        .Enum<CompressionType>(nameof(ProducerOptions.Compression), (o, v) => o.Compression = v)
        .NullableInt(nameof(ProducerOptions.CompressionLevel), (o, v) => o.CompressionLevel = v)
        .Duration(nameof(ProducerOptions.DeliveryTimeout), (o, v) => o.DeliveryTimeout = v)
        .Duration(nameof(ProducerOptions.RetryBackoff), (o, v) => o.RetryBackoff = v)
        .Duration(nameof(ProducerOptions.RetryBackoffMax), (o, v) => o.RetryBackoffMax = v)
        .Long(nameof(ProducerOptions.BufferMemory), (o, v) => o.BufferMemory = v)
        .Int(nameof(ProducerOptions.MaxRecordSize), (o, v) => o.MaxRecordSize = v)
        .Int(nameof(ProducerOptions.MaxRequestSize), (o, v) => o.MaxRequestSize = v)
        .Int(nameof(ProducerOptions.CircuitBreakerFailures), (o, v) => o.CircuitBreakerFailures = v)
        .Duration(nameof(ProducerOptions.CircuitBreakerBreak), (o, v) => o.CircuitBreakerBreak = v)
        .Duration(nameof(ProducerOptions.CloseTimeout), (o, v) => o.CloseTimeout = v)
        .CodeOnly(nameof(ProducerOptions.Partitioner), "it is an object; set it in code.");

    public static readonly SettingTable<ConsumerOptions> Consumer = ClientSettings(new SettingTable<ConsumerOptions>())
        .NullableText(nameof(ConsumerOptions.GroupId), (o, v) => o.GroupId = v)
        .NullableText(nameof(ConsumerOptions.GroupInstanceId), (o, v) => o.GroupInstanceId = v)
        .Enum<GroupProtocol>(nameof(ConsumerOptions.GroupProtocol), (o, v) => o.GroupProtocol = v)
        .NullableText(nameof(ConsumerOptions.GroupRemoteAssignor), (o, v) => o.GroupRemoteAssignor = v)
        .Enum<AutoOffsetReset>(nameof(ConsumerOptions.AutoOffsetReset), (o, v) => o.AutoOffsetReset = v)
        .Bool(nameof(ConsumerOptions.EnableAutoCommit), (o, v) => o.EnableAutoCommit = v)
        .Bool(nameof(ConsumerOptions.EnableAutoOffsetStore), (o, v) => o.EnableAutoOffsetStore = v)
        .Duration(nameof(ConsumerOptions.AutoCommitInterval), (o, v) => o.AutoCommitInterval = v)
        .Int(nameof(ConsumerOptions.FetchMinBytes), (o, v) => o.FetchMinBytes = v)
        .Int(nameof(ConsumerOptions.FetchMaxBytes), (o, v) => o.FetchMaxBytes = v)
        .Duration(nameof(ConsumerOptions.FetchMaxWait), (o, v) => o.FetchMaxWait = v)
        .Int(nameof(ConsumerOptions.MaxPartitionFetchBytes), (o, v) => o.MaxPartitionFetchBytes = v)
        .Enum<IsolationLevel>(nameof(ConsumerOptions.IsolationLevel), (o, v) => o.IsolationLevel = v)
        .Duration(nameof(ConsumerOptions.SessionTimeout), (o, v) => o.SessionTimeout = v)
        .Duration(nameof(ConsumerOptions.HeartbeatInterval), (o, v) => o.HeartbeatInterval = v)
        .Duration(nameof(ConsumerOptions.RebalanceTimeout), (o, v) => o.RebalanceTimeout = v)
        .Duration(nameof(ConsumerOptions.MaxPollInterval), (o, v) => o.MaxPollInterval = v)
        .Duration(nameof(ConsumerOptions.TopicMetadataPropagationMax), (o, v) => o.TopicMetadataPropagationMax = v)
        .Enum<CorruptRecordHandling>(nameof(ConsumerOptions.CorruptRecordHandling), (o, v) => o.CorruptRecordHandling = v)
        .EnumList<PartitionAssignmentStrategy>(nameof(ConsumerOptions.AssignmentStrategies), (o, v) => o.AssignmentStrategies = v)
        .Duration(nameof(ConsumerOptions.MaxProcessingTime), (o, v) => o.MaxProcessingTime = v)
        .Int(nameof(ConsumerOptions.QueuedMessagesPerPartition), (o, v) => o.QueuedMessagesPerPartition = v)
        .Bool(nameof(ConsumerOptions.CheckCrcs), (o, v) => o.CheckCrcs = v)
        .Duration(nameof(ConsumerOptions.RetryBackoff), (o, v) => o.RetryBackoff = v)
        .Duration(nameof(ConsumerOptions.RetryBackoffMax), (o, v) => o.RetryBackoffMax = v)
        .NullableText(nameof(ConsumerOptions.ClientRack), (o, v) => o.ClientRack = v)
        .Skip(KafkaHandlerOptions.SectionName);

    public static readonly SettingTable<KafkaHandlerOptions> Handler = new SettingTable<KafkaHandlerOptions>()
        .TextList(nameof(KafkaHandlerOptions.Topics), (o, v) => o.Topics = v)
        .Int(nameof(KafkaHandlerOptions.MaxConcurrency), (o, v) => o.MaxConcurrency = v)
        .Int(nameof(KafkaHandlerOptions.MaxRetries), (o, v) => o.MaxRetries = v)
        .Duration(nameof(KafkaHandlerOptions.RetryBackoff), (o, v) => o.RetryBackoff = v)
        .Duration(nameof(KafkaHandlerOptions.RetryBackoffMax), (o, v) => o.RetryBackoffMax = v)
        .Bool(nameof(KafkaHandlerOptions.DeadLetterEnabled), (o, v) => o.DeadLetterEnabled = v)
        .NullableText(nameof(KafkaHandlerOptions.DeadLetterTopic), (o, v) => o.DeadLetterTopic = v)
        .Duration(nameof(KafkaHandlerOptions.ShutdownTimeout), (o, v) => o.ShutdownTimeout = v);

    private static SettingTable<T> ClientSettings<T>(SettingTable<T> table) where T : KafkaClientOptions => table
        .Text(nameof(KafkaClientOptions.BootstrapServers), (o, v) => o.BootstrapServers = v)
        .Text(nameof(KafkaClientOptions.ClientId), (o, v) => o.ClientId = v)
        .Duration(nameof(KafkaClientOptions.ConnectTimeout), (o, v) => o.ConnectTimeout = v)
        .Duration(nameof(KafkaClientOptions.RequestTimeout), (o, v) => o.RequestTimeout = v)
        .Duration(nameof(KafkaClientOptions.MetadataMaxAge), (o, v) => o.MetadataMaxAge = v)
        .Duration(nameof(KafkaClientOptions.MetadataMinRefreshInterval), (o, v) => o.MetadataMinRefreshInterval = v)
        .Enum<MetadataRecoveryStrategy>(nameof(KafkaClientOptions.MetadataRecoveryStrategy), (o, v) => o.MetadataRecoveryStrategy = v)
        .Duration(nameof(KafkaClientOptions.MetadataRecoveryRebootstrapTrigger), (o, v) => o.MetadataRecoveryRebootstrapTrigger = v)
        .Duration(nameof(KafkaClientOptions.ReconnectBackoffMin), (o, v) => o.ReconnectBackoffMin = v)
        .Duration(nameof(KafkaClientOptions.ReconnectBackoffMax), (o, v) => o.ReconnectBackoffMax = v)
        .Bool(nameof(KafkaClientOptions.AllowAutoTopicCreation), (o, v) => o.AllowAutoTopicCreation = v)
        .Int(nameof(KafkaClientOptions.MaxInFlightPerConnection), (o, v) => o.MaxInFlightPerConnection = v)
        .Int(nameof(KafkaClientOptions.MaxResponseSize), (o, v) => o.MaxResponseSize = v)
        .Section(nameof(KafkaClientOptions.Tls), o => o.Tls ??= new KafkaTlsOptions(), Tls)
        .Section(nameof(KafkaClientOptions.Sasl), o => o.Sasl ??= new KafkaSaslOptions(), Sasl)
        .CodeOnly(nameof(KafkaClientOptions.Transport), "it is an object; set it in code.")
        .CodeOnly(nameof(KafkaClientOptions.Random), "it is an object; set it in code.")
        .CodeOnly(nameof(KafkaClientOptions.LoggerFactory), "it comes from the container's ILoggerFactory.")
        .CodeOnly(nameof(KafkaClientOptions.TimeProvider), "it comes from the container's TimeProvider.")
        .CodeOnly(nameof(KafkaClientOptions.OnClusterUnreachable), "it is a callback; set it in code.");
}
