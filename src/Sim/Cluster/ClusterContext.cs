using KafkaNative.Sim.Acls;
using KafkaNative.Sim.Groups;
using KafkaNative.Sim.Sasl;
using KafkaNative.Sim.Transactions;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Sim;

/// <summary>What every broker of one cluster shares: options, the controller, group and transaction state, committed offsets, ACLs, producer ids and injected errors.</summary>
internal sealed class ClusterContext(ClusterOptions options, ClusterController controller, ILoggerFactory loggerFactory)
{
    private long _nextProducerId = 1000;
    private SimulatedBroker[] _brokers = [];

    public ClusterOptions Options { get; } = options;

    public ClusterController Controller { get; } = controller;

    public ILoggerFactory LoggerFactory { get; } = loggerFactory;

    /// <summary>Committed offsets, replicated cluster-wide as __consumer_offsets would be.</summary>
    public OffsetStore Offsets { get; } = new();

    /// <summary>Group generations, members and assignments, cluster-wide so they survive a coordinator move.</summary>
    public GroupStore GroupStore { get; } = new();

    /// <summary>Every transactional id's state, cluster-wide so it survives a coordinator move.</summary>
    public TransactionStore Transactions { get; } = new();

    /// <summary>ACLs, stored cluster-wide as the controller's metadata log keeps them (stored, not enforced).</summary>
    public AclStore Acls { get; } = new();

    public ErrorInjector Errors { get; } = new(options.Seed);

    public SaslCredentials? Sasl { get; } = options.SaslUsers is { Count: > 0 } users ? new SaslCredentials(users) : null;

    public void Attach(SimulatedBroker[] brokers)
    {
        _brokers = brokers;
        Controller.Attach(brokers);
    }

    /// <summary>Milliseconds on the cluster's clock (<see cref="ClusterOptions.TimeProvider"/>), for deadlines, sessions and injected latency.</summary>
    public long NowMs => Options.TimeProvider.GetTimestamp() * 1000 / Options.TimeProvider.TimestampFrequency;

    public long NextProducerId() => Interlocked.Increment(ref _nextProducerId);

    /// <summary>Posts an inter-broker message; false when the target is down (the message is lost, as on a network).</summary>
    public bool Send(int brokerId, BrokerMessage message) =>
        brokerId >= 0 && brokerId < _brokers.Length && _brokers[brokerId].TryPost(message);
}
