using System.IO.Pipelines;
using System.Net.Sockets;
using KafkaNative.Protocol;
using KafkaNative.Sim.Replication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaNative.Sim;

/// <summary>
/// A simulated Kafka cluster that real clients (kcat, librdkafka, Java, KafkaNative) connect to over
/// TCP: brokers on 127.0.0.1 with replicated partitions, consumer groups and SASL/TLS options, plus
/// fault injection for tests.
/// </summary>
public sealed class SimulatedCluster : IAsyncDisposable
{
    private readonly ClusterContext _context;
    private readonly SimulatedBroker[] _brokers;
    private readonly ILogger _logger;
    private readonly BrokerSessions _sessions;

    private SimulatedCluster(ClusterContext context, SimulatedBroker[] brokers, ILogger logger)
    {
        _context = context;
        _brokers = brokers;
        _logger = logger;
        _sessions = new BrokerSessions(context.Options, context.Controller, logger);
    }

    /// <summary>Starts every broker and creates the architecture's topics; completes once all brokers accept connections.</summary>
    /// <param name="options">How to build the cluster.</param>
    /// <param name="ct">Cancels the start.</param>
    public static async Task<SimulatedCluster> StartAsync(ClusterOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BasePort is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(options), "BasePort must be 0 to 65535.");
        if (options.BrokerSessionTimeout < TimeSpan.Zero || options.BrokerSessionTimeout.TotalMilliseconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(options), "BrokerSessionTimeout must be 0 to int.MaxValue milliseconds.");
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options.TimeProvider));
        if (options.TickInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), "TickInterval must be positive.");
        Architecture architecture = Architecture.Load(options);
        ILoggerFactory loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        ILogger logger = loggerFactory.CreateLogger("KafkaNative.Sim.Cluster");
        var controller = new ClusterController(options, architecture.Brokers, logger);
        var context = new ClusterContext(options, controller, loggerFactory);
        SimulatedBroker[] brokers = architecture.Brokers.Select(b => new SimulatedBroker(b.Id, b.Zone, context)).ToArray();
        context.Attach(brokers);
        var cluster = new SimulatedCluster(context, brokers, logger);
        try
        {
            foreach (SimulatedBroker broker in brokers)
            {
                ct.ThrowIfCancellationRequested();
                broker.Start(options.BasePort == 0 ? 0 : options.BasePort + broker.Id);
                await controller.BrokerStarted(broker.Id).ConfigureAwait(false);
            }
            foreach (TopicSpec topic in architecture.Topics)
            {
                (ErrorCode error, string? message, _, Task created) = controller.CreateTopic(topic.Name, topic.Partitions, topic.ReplicationFactor, null, topic.Configs, validateOnly: false);
                if (error != ErrorCode.None) throw new InvalidOperationException($"Cannot create topic {topic.Name}: {message}");
                await created.WaitAsync(ct).ConfigureAwait(false);
            }
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        logger.LogInformation("Cluster {ClusterId} ({Architecture}) up: {Bootstrap}", controller.ClusterId, architecture.Name, cluster.BootstrapServers);
        return cluster;
    }

    /// <summary>Every broker's address, <c>host:port</c>, comma-separated, in broker id order.</summary>
    public string BootstrapServers => string.Join(",", _brokers.Select(b => $"{_context.Options.Host}:{b.Port}"));

    /// <summary>
    /// Opens a client connection to the broker advertised at <paramref name="host"/>:<paramref name="port"/>
    /// without a socket: the returned pipe's output carries requests to a session of that broker and its
    /// input carries the responses back. Faults apply as over TCP: stopping or killing the broker or
    /// dropping its connections closes the session (a kill as a reset, a read that fails), and latency and
    /// stalls delay it. Disposing the pipe closes the session. Sessions in memory have no TLS.
    /// </summary>
    /// <param name="host">The advertised host, as in <see cref="BootstrapServers"/> and metadata.</param>
    /// <param name="port">The advertised port.</param>
    /// <param name="ct">Cancels the attempt.</param>
    /// <exception cref="SocketException">Nothing is advertised there or the broker is stopped (connection refused, as over TCP).</exception>
    public ValueTask<IDuplexPipe> ConnectInMemoryAsync(string host, int port, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        SimulatedBroker? broker = string.Equals(host, _context.Options.Host, StringComparison.OrdinalIgnoreCase)
            ? _brokers.FirstOrDefault(b => b.Port == port)
            : null;
        if (broker is null) throw new SocketException((int)SocketError.ConnectionRefused);
        return ValueTask.FromResult(broker.ConnectInMemory());
    }

    /// <summary>The broker ids, 0 to N-1.</summary>
    public IReadOnlyList<int> BrokerIds => _brokers.Select(b => b.Id).ToList();

    /// <summary>Creates a topic (replication factor capped at the number of brokers) and waits until its replicas exist.</summary>
    /// <param name="topic">The topic name.</param>
    /// <param name="partitions">The partition count.</param>
    /// <param name="replicationFactor">Replicas per partition.</param>
    /// <exception cref="InvalidOperationException">The topic exists or cannot be placed.</exception>
    public async Task CreateTopicAsync(string topic, int partitions, short replicationFactor = 3)
    {
        short factor = (short)Math.Min(replicationFactor, _brokers.Length);
        (ErrorCode error, string? message, _, Task created) = _context.Controller.CreateTopic(topic, partitions, factor, null, null, validateOnly: false);
        if (error != ErrorCode.None) throw new InvalidOperationException($"Cannot create topic {topic}: {ErrorCodes.Name(error)}: {message}");
        await created.ConfigureAwait(false);
    }

    /// <summary>
    /// Stops a broker as Kafka's controlled shutdown does: first its partitions' leadership moves to other
    /// live in-sync replicas, its group coordinators move to live brokers and it leaves every ISR; then its
    /// sessions close. Once this returns, no live broker's metadata names it.
    /// </summary>
    /// <param name="brokerId">The broker to stop.</param>
    /// <param name="ct">Cancels the wait for the brokers to hear of the new leaders (the shutdown itself goes on).</param>
    public async Task StopBrokerAsync(int brokerId, CancellationToken ct = default)
    {
        SimulatedBroker broker = Broker(brokerId);
        // A crashed broker not yet fenced is fenced now; a running one hands over before its sockets close.
        await _sessions.FenceNow(brokerId).WaitAsync(ct).ConfigureAwait(false);
        await _context.Controller.BrokerStopped(brokerId).WaitAsync(ct).ConfigureAwait(false);
        await broker.StopAsync().ConfigureAwait(false);
        _logger.LogInformation("Broker {Broker} stopped by fault injection (controlled shutdown)", brokerId);
    }

    /// <summary>
    /// Kills a broker as a crash does: every client connection is reset at once and it accepts no more, but
    /// the controller notices only when the broker's session times out
    /// (<see cref="ClusterOptions.BrokerSessionTimeout"/>): until then metadata still names it as leader and
    /// coordinator; then leadership and coordinators move to live in-sync replicas. Restart it with
    /// <see cref="StartBrokerAsync"/>. A broker already down is left as it is.
    /// </summary>
    /// <param name="brokerId">The broker to kill.</param>
    /// <param name="ct">Cancels the wait for its sessions to end.</param>
    public async Task KillBrokerAsync(int brokerId, CancellationToken ct = default)
    {
        SimulatedBroker broker = Broker(brokerId);
        if (!broker.IsRunning) return;
        await broker.CrashAsync().WaitAsync(ct).ConfigureAwait(false);
        _sessions.Crashed(brokerId);
        _logger.LogInformation("Broker {Broker} killed by fault injection; fenced after {Timeout} unless restarted", brokerId, _context.Options.BrokerSessionTimeout);
    }

    /// <summary>
    /// Starts a stopped or killed broker on its old port; it catches up from the leaders and rejoins the ISRs.
    /// A killed broker whose session had not timed out yet is fenced first, as KRaft fences a broker's old
    /// incarnation when it registers again.
    /// </summary>
    /// <param name="brokerId">The broker to start.</param>
    /// <param name="ct">Cancels the wait for the brokers to hear of it (the start itself goes on).</param>
    public async Task StartBrokerAsync(int brokerId, CancellationToken ct = default)
    {
        SimulatedBroker broker = Broker(brokerId);
        if (broker.IsRunning) return;
        await _sessions.FenceNow(brokerId).WaitAsync(ct).ConfigureAwait(false);
        broker.Start(broker.Port);
        await _context.Controller.BrokerStarted(brokerId).WaitAsync(ct).ConfigureAwait(false);
        _logger.LogInformation("Broker {Broker} started by fault injection", brokerId);
    }

    /// <summary>Makes <paramref name="brokerId"/>, a live in-sync replica, the partition's leader.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition.</param>
    /// <param name="brokerId">The new leader.</param>
    /// <exception cref="InvalidOperationException">The broker is not a live in-sync replica.</exception>
    public Task MoveLeaderAsync(string topic, int partition, int brokerId) =>
        _context.Controller.MoveLeader(new TopicAndPartition(topic, partition), brokerId);

    /// <summary>
    /// Elects <paramref name="brokerId"/>, a live replica whether in sync or not, leader as an unclean election does
    /// (Kafka's unclean.leader.election.enable, or ElectLeaders UNCLEAN): a new leader epoch, an ISR of that broker
    /// alone. Records the old leader had past this broker's log end are lost, even below the old high watermark:
    /// replicas ahead of it truncate to its log when they follow it, and consumers that read them see the log
    /// truncated (KIP-320). Typically: stop the follower, write more, stop the leader, start the follower, elect it.
    /// </summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition.</param>
    /// <param name="brokerId">The new leader.</param>
    /// <exception cref="InvalidOperationException">The broker is not a live replica of the partition.</exception>
    public Task ElectUncleanLeaderAsync(string topic, int partition, int brokerId) =>
        _context.Controller.ElectUncleanLeader(new TopicAndPartition(topic, partition), brokerId);

    /// <summary>The leader-epoch history of a broker's replica (each epoch and the offset where it starts), or empty when it has none.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition.</param>
    /// <param name="brokerId">The broker.</param>
    public IReadOnlyList<(int Epoch, long StartOffset)> LeaderEpochHistory(string topic, int partition, int brokerId) =>
        Broker(brokerId).Replicas.Get(new TopicAndPartition(topic, partition))?.Log.EpochHistory ?? [];

    /// <summary>
    /// Moves a group's coordinator to <paramref name="brokerId"/>, as moving the leader of the group's
    /// __consumer_offsets partition does (every group of that partition moves with it). The new coordinator
    /// loads the group's generation, members, assignments and offsets; the old one answers NOT_COORDINATOR.
    /// </summary>
    /// <param name="groupId">The group.</param>
    /// <param name="brokerId">The new coordinator.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <exception cref="InvalidOperationException">The broker is not live.</exception>
    public Task MoveGroupCoordinatorAsync(string groupId, int brokerId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        Broker(brokerId);
        ct.ThrowIfCancellationRequested();
        _context.Controller.MoveCoordinator(groupId, brokerId);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The broker coordinating a group, or a transactional id (ids map to coordinator slots the way groups do, so
    /// <see cref="MoveGroupCoordinatorAsync"/> moves an id whose slot it moves), as FindCoordinator answers; -1 when none is live.
    /// </summary>
    /// <param name="groupId">The group or transactional id.</param>
    public int CoordinatorOf(string groupId) => _context.Controller.CoordinatorFor(groupId).BrokerId;

    /// <summary>
    /// The consumer-protocol group (KIP-848) <paramref name="groupId"/> as its coordinator sees it now: owners per partition,
    /// targets, epochs, and whether a partition was ever owned by two members; null when the id names no such group.
    /// </summary>
    /// <param name="groupId">The group.</param>
    public ConsumerGroupView? ConsumerGroup(string groupId)
    {
        if (_context.GroupStore.GetConsumer(groupId) is not Groups.ConsumerProtocolGroup group) return null;
        lock (group)
        {
            return new ConsumerGroupView
            {
                GroupId = groupId,
                State = group.State,
                GroupEpoch = group.GroupEpoch,
                AssignmentEpoch = group.AssignmentEpoch,
                MemberEpochs = group.Members.ToDictionary(m => m.MemberId, m => m.MemberEpoch),
                Owners = group.Owners().ToDictionary(o => (o.Key.Topic, o.Key.Partition), o => (IReadOnlyList<string>)o.Value),
                Targets = group.Members.ToDictionary(m => m.MemberId,
                    m => (IReadOnlyList<(string, int)>)group.TargetOf(m.MemberId).OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).Select(p => (p.Topic, p.Partition)).ToList()),
                DoubleOwnershipsSeen = group.DoubleOwnerships,
                FirstDoubleOwnership = group.FirstDoubleOwnership,
            };
        }
    }

    /// <summary>Delays every response of a broker by <paramref name="latency"/> after its request arrived (zero removes it).</summary>
    /// <param name="brokerId">The broker.</param>
    /// <param name="latency">The added latency.</param>
    public void SetLatency(int brokerId, TimeSpan latency) => Broker(brokerId).Faults.Latency = latency;

    /// <summary>Stalls a broker: it keeps accepting connections and requests but answers none until unstalled.</summary>
    /// <param name="brokerId">The broker.</param>
    /// <param name="stalled">True to stall, false to resume.</param>
    public void SetStalled(int brokerId, bool stalled) => Broker(brokerId).Faults.SetStalled(stalled);

    /// <summary>Closes every client session of a broker; it keeps accepting new ones.</summary>
    /// <param name="brokerId">The broker.</param>
    public void DropConnections(int brokerId) => Broker(brokerId).DropConnections();

    /// <summary>Answers <paramref name="api"/> requests with <paramref name="error"/> at <paramref name="rate"/> (0 to 1), on one broker or all.</summary>
    /// <param name="api">The API whose requests fail.</param>
    /// <param name="error">The error to answer.</param>
    /// <param name="rate">Fraction of requests that fail, drawn from the seeded generator.</param>
    /// <param name="brokerId">Only this broker, or every broker when null.</param>
    public void InjectError(ApiKey api, ErrorCode error, double rate, int? brokerId = null)
    {
        if (brokerId is int id) Broker(id);
        _context.Errors.Add(api, error, rate, brokerId);
    }

    /// <summary>Removes every injected error.</summary>
    public void ClearInjectedErrors() => _context.Errors.Clear();

    /// <summary>The partition's leader, or -1 when it has none.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition.</param>
    public int LeaderOf(string topic, int partition) => _context.Controller.LeaderOf(new TopicAndPartition(topic, partition));

    /// <summary>The stored v2 batches of a partition's leader (base offsets assigned), for tests to decode.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition.</param>
    public IReadOnlyList<ReadOnlyMemory<byte>> ReadBatches(string topic, int partition) =>
        AuthoritativeReplica(topic, partition)?.Log.AllBatches() ?? [];

    /// <summary>The high watermark of a partition's leader: offsets below it are on every in-sync replica.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition.</param>
    public long HighWatermark(string topic, int partition) => AuthoritativeReplica(topic, partition)?.HighWatermark ?? -1;

    /// <summary>Requests of <paramref name="api"/> a broker has received.</summary>
    /// <param name="brokerId">The broker.</param>
    /// <param name="api">The API.</param>
    public long RequestCount(int brokerId, ApiKey api) => Broker(brokerId).Counters.Requests(api);

    /// <summary>Bytes of the <paramref name="api"/> requests a broker has received, each with its 4-byte size prefix.</summary>
    /// <param name="brokerId">The broker.</param>
    /// <param name="api">The API.</param>
    public long RequestBytes(int brokerId, ApiKey api) => Broker(brokerId).Counters.RequestBytes(api);

    /// <summary>How a broker's fetches met its fetch session cache (KIP-227); every broker's summed when <paramref name="brokerId"/> is null.</summary>
    /// <param name="brokerId">The broker, or null for all.</param>
    public FetchSessionStatistics FetchSessionStats(int? brokerId = null)
    {
        var total = default(FetchSessionStatistics);
        foreach (SimulatedBroker broker in _brokers)
        {
            if (brokerId is { } id && broker.Id != id) continue;
            BrokerCounters c = broker.Counters;
            total = new FetchSessionStatistics(
                total.Full + c.Fetches(Handlers.FetchKind.Full),
                total.Incremental + c.Fetches(Handlers.FetchKind.Incremental),
                total.Sessionless + c.Fetches(Handlers.FetchKind.Sessionless),
                total.SessionErrors + c.Fetches(Handlers.FetchKind.SessionError),
                total.Closed + c.Fetches(Handlers.FetchKind.Closed),
                total.Evicted + c.Fetches(Handlers.FetchKind.Evicted));
        }
        return total;
    }

    /// <summary>Connections a broker has accepted.</summary>
    /// <param name="brokerId">The broker.</param>
    public long ConnectionCount(int brokerId) => Broker(brokerId).Counters.Connections;

    /// <summary>Waits until every partition of every topic has a leader and all its replicas in sync (after a broker restart).</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <exception cref="TimeoutException">Some partition is still short of replicas.</exception>
    public async Task WaitForFullIsrAsync(TimeSpan timeout)
    {
        // The wall clock, not the cluster's: replicas catch up by work, not by time, and a test's fake clock stands still.
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (_context.Controller.AllTopics().SelectMany(t => t.Partitions).Any(p => p.Leader < 0 || p.Isr.Length != p.Replicas.Length))
        {
            if (Environment.TickCount64 > deadline) throw new TimeoutException("Some partitions are still missing in-sync replicas.");
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    /// <summary>Stops every broker.</summary>
    public async ValueTask DisposeAsync()
    {
        _sessions.Dispose();
        foreach (SimulatedBroker broker in _brokers) await broker.StopAsync().ConfigureAwait(false);
    }

    private SimulatedBroker Broker(int brokerId) =>
        brokerId >= 0 && brokerId < _brokers.Length ? _brokers[brokerId] : throw new ArgumentOutOfRangeException(nameof(brokerId), $"No broker {brokerId}.");

    private PartitionReplica? AuthoritativeReplica(string topic, int partition)
    {
        var tp = new TopicAndPartition(topic, partition);
        int leader = LeaderOf(topic, partition);
        if (leader >= 0) return _brokers[leader].Replicas.Get(tp);
        return _brokers.Select(b => b.Replicas.Get(tp)).OfType<PartitionReplica>().MaxBy(r => r.Log.LogEndOffset);
    }
}
