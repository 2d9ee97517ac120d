using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Sim;

/// <summary>How a <see cref="SimulatedCluster"/> is built and how its brokers behave.</summary>
public sealed record ClusterOptions
{
    /// <summary>Number of brokers, with ids 0 to <c>Brokers - 1</c>. An architecture file that lists brokers overrides it.</summary>
    public int Brokers { get; init; } = 3;

    /// <summary>Port of broker 0; broker <c>i</c> listens on <c>BasePort + i</c>. 0 picks free ephemeral ports.</summary>
    public int BasePort { get; init; }

    /// <summary>Host the brokers bind to and advertise.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Partition count of automatically created topics and of CreateTopics requests that ask for the default.</summary>
    public int DefaultPartitions { get; init; } = 6;

    /// <summary>Replication factor of automatically created topics (capped at the number of brokers).</summary>
    public short DefaultReplicationFactor { get; init; } = 3;

    /// <summary>Whether Metadata requests for unknown topics create them, as <c>auto.create.topics.enable</c>.</summary>
    public bool AutoCreateTopics { get; init; } = true;

    /// <summary>Seed of every random choice (replica placement, topic ids, injected errors), so runs repeat.</summary>
    public int Seed { get; init; }

    /// <summary>JSON architecture file with brokers, zones and topics; null uses the embedded default (brokers spread over three zones).</summary>
    public string? ArchitectureFile { get; init; }

    /// <summary>When set, brokers speak TLS with this server certificate (SSL or SASL_SSL listeners).</summary>
    public X509Certificate2? TlsCertificate { get; init; }

    /// <summary>When set, clients must authenticate as one of these users (username to password) with PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.</summary>
    public IReadOnlyDictionary<string, string>? SaslUsers { get; init; }

    /// <summary>Session lifetime returned by SaslAuthenticate v1+ (KIP-368); 0 means sessions never expire.</summary>
    public long SaslSessionLifetimeMs { get; init; }

    /// <summary>Default <c>min.insync.replicas</c> of topics: acks=-1 writes fail with NOT_ENOUGH_REPLICAS below it.</summary>
    public int MinInSyncReplicas { get; init; } = 1;

    /// <summary>Smallest session timeout a group member may ask for (<c>group.min.session.timeout.ms</c>).</summary>
    public int GroupMinSessionTimeoutMs { get; init; } = 6000;

    /// <summary>Largest session timeout a group member may ask for (<c>group.max.session.timeout.ms</c>).</summary>
    public int GroupMaxSessionTimeoutMs { get; init; } = 1_800_000;

    /// <summary>How long the first rebalance of an empty group waits for more members (<c>group.initial.rebalance.delay.ms</c>); 0 suits tests.</summary>
    public int GroupInitialRebalanceDelayMs { get; init; }

    /// <summary>
    /// How long a member of a consumer-protocol group (KIP-848) stays without a heartbeat before the coordinator removes it and
    /// hands its partitions to the others (<c>group.consumer.session.timeout.ms</c>, 45 s).
    /// </summary>
    public int ConsumerGroupSessionTimeoutMs { get; init; } = 45_000;

    /// <summary>The heartbeat interval the coordinator tells consumer-protocol members to use (<c>group.consumer.heartbeat.interval.ms</c>, 5 s).</summary>
    public int ConsumerGroupHeartbeatIntervalMs { get; init; } = 5_000;

    /// <summary>Largest transaction timeout a transactional producer may ask for (<c>transaction.max.timeout.ms</c>, 15 minutes).</summary>
    public int TransactionMaxTimeoutMs { get; init; } = 900_000;

    /// <summary>
    /// The finalized <c>transaction.version</c> feature the brokers announce: 2 (Kafka 4.0's level for new
    /// clusters) offers EndTxn v5, with which a client runs Transactions V2 (the coordinator bumps the epoch at
    /// every commit or abort, KIP-890); 0 or 1 keeps the classic protocol, EndTxn v4 at most.
    /// </summary>
    public short TransactionVersion { get; init; } = 2;

    /// <summary>
    /// How long a transactional id with no transaction open may stay unused before the coordinator forgets it
    /// (<c>transactional.id.expiration.ms</c>, 7 days); its producer then meets INVALID_PRODUCER_ID_MAPPING.
    /// </summary>
    public TimeSpan TransactionalIdExpiration { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Incremental fetch sessions (KIP-227) each broker keeps, as Kafka's <c>max.incremental.fetch.session.cache.slots</c>
    /// (1000). When full, a new session evicts the least recently used one (Kafka is gentler: see the Sim's
    /// FetchSessionCache). 0 keeps none: every fetch is answered in full with session id 0, which clients accept.
    /// </summary>
    public int FetchSessionCacheSlots { get; init; } = 1000;

    /// <summary>Largest request a broker accepts (<c>socket.request.max.bytes</c>); larger frames close the connection.</summary>
    public int MaxRequestSize { get; init; } = 100 * 1024 * 1024;

    /// <summary>
    /// How long the controller waits for a crashed broker (<see cref="SimulatedCluster.KillBrokerAsync"/>) before it
    /// fences it and moves its leaderships and coordinators, as KRaft's <c>broker.session.timeout.ms</c> (9 s).
    /// </summary>
    public TimeSpan BrokerSessionTimeout { get; init; } = TimeSpan.FromSeconds(9);

    /// <summary>
    /// The cluster's clock: broker session timeouts, the brokers' ticks (fetch waits, produce timeouts, group sessions) and
    /// injected latency run on it. Tests pass a fake one to let time pass without waiting; the storm a virtual one.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// How often each broker checks its deadlines (fetch max waits, produce timeouts, group sessions); they fire up
    /// to this late. On a virtual clock every tick is an event to drive, so the storm takes a coarser one.
    /// </summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Where brokers log connections, rejected input and faults; null logs nothing.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
