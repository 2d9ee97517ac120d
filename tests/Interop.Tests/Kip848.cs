using KafkaNative.Sim;
using Rd = Confluent.Kafka;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// The cluster and the librdkafka configuration for consumer-protocol groups (KIP-848, <c>group.protocol=consumer</c>):
/// a short consumer-group session timeout and heartbeat interval on the Sim, since with this protocol the coordinator
/// decides them (librdkafka refuses <c>session.timeout.ms</c>, <c>heartbeat.interval.ms</c> and
/// <c>partition.assignment.strategy</c> with it), and a watcher that samples the coordinator's view of partition owners.
/// </summary>
internal static class Kip848
{
    public const int SessionTimeoutMs = 6000;

    public static Task<SimulatedCluster> StartAsync(int brokers = 3) => SimulatedCluster.StartAsync(new ClusterOptions
    {
        Brokers = brokers,
        BasePort = 0,
        BrokerSessionTimeout = TimeSpan.FromSeconds(6),
        ConsumerGroupSessionTimeoutMs = SessionTimeoutMs,
        ConsumerGroupHeartbeatIntervalMs = 500,
    });

    public static Rd.ConsumerConfig ConsumerConfig(SimulatedCluster sim, string group, string? assignor = null, string? instanceId = null) => new()
    {
        BootstrapServers = sim.BootstrapServers,
        ClientId = "librdkafka-kip848",
        GroupId = group,
        GroupProtocol = Rd.GroupProtocol.Consumer,
        GroupRemoteAssignor = assignor,
        GroupInstanceId = instanceId,
        AutoOffsetReset = Rd.AutoOffsetReset.Earliest,
        FetchWaitMaxMs = 100,
        AutoCommitIntervalMs = 300,
        EnablePartitionEof = false,
        ReconnectBackoffMaxMs = 1000,
        TopicMetadataRefreshIntervalMs = 1000,
        // KIP848_RDKAFKA_DEBUG=cgrp,protocol shows librdkafka's side of the heartbeats in the test output.
        Debug = Environment.GetEnvironmentVariable("KIP848_RDKAFKA_DEBUG"),
    };
}

/// <summary>Samples the coordinator's view of a consumer-protocol group until disposed, remembering any partition owned by two members.</summary>
internal sealed class OwnershipWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<string> _violations = [];

    public OwnershipWatch(SimulatedCluster sim, string group)
    {
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                if (sim.ConsumerGroup(group) is { } view)
                {
                    Samples++;
                    foreach (var ((topic, partition), owners) in view.Owners.Where(o => o.Value.Count > 1))
                        lock (_violations) _violations.Add($"{topic}-{partition} owned by {string.Join(",", owners)} at epoch {view.GroupEpoch}");
                    if (view.FirstDoubleOwnership is string seen) lock (_violations) _violations.Add(seen);
                }
                try { await Task.Delay(5, _stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    public int Samples { get; private set; }

    public IReadOnlyList<string> Violations
    {
        get { lock (_violations) return _violations.Distinct().ToList(); }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
