using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using KafkaNative.Sim.Groups;
using KafkaNative.Sim.Handlers;
using KafkaNative.Sim.Replication;
using KafkaNative.Sim.Transactions;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Sim;

/// <summary>
/// One simulated broker: an actor that owns its replicas, group and transaction coordinators and delayed requests,
/// fed by a bounded mailbox. Client sessions decode requests on their own tasks and post them here;
/// other brokers and the controller post replication and leadership messages. While stopped, its
/// listener and sessions are gone and messages to it are lost, but its logs remain, as on disk.
/// </summary>
internal sealed class SimulatedBroker
{
    private const int MailboxCapacity = 65_536;

    private readonly ConcurrentDictionary<long, ClientSession> _connections = new();
    private readonly object _lifecycleLock = new();
    private Channel<BrokerMessage>? _mailbox;
    private CancellationTokenSource? _lifetime;
    private Task _loops = Task.CompletedTask;
    private long _nextConnectionId;

    public SimulatedBroker(int id, string rack, ClusterContext cluster)
    {
        Id = id;
        Rack = rack;
        Cluster = cluster;
        Logger = cluster.LoggerFactory.CreateLogger($"KafkaNative.Sim.Broker{id}");
        Replicas = new ReplicaManager(id, cluster, Logger);
        Fetches = new FetchPurgatory(this);
        FetchSessions = new FetchSessionCache(cluster.Options.FetchSessionCacheSlots);
        Groups = new GroupCoordinator(this);
        Transactions = new TransactionCoordinator(this);
        Replicas.DataChanged += Fetches.MarkDirty;
    }

    public int Id { get; }

    public string Rack { get; }

    /// <summary>The port it listens on; chosen at first start and kept across restarts.</summary>
    public int Port { get; private set; }

    public ClusterContext Cluster { get; }

    public ILogger Logger { get; }

    public ReplicaManager Replicas { get; }

    public FetchPurgatory Fetches { get; }

    /// <summary>Incremental fetch sessions (KIP-227); touched by the actor only.</summary>
    public FetchSessionCache FetchSessions { get; }

    public GroupCoordinator Groups { get; }

    public TransactionCoordinator Transactions { get; }

    /// <summary>acks=-1 produces waiting for replication, expired on ticks.</summary>
    public List<DelayedProduce> DelayedProduces { get; } = new();

    public BrokerCounters Counters { get; } = new();

    public BrokerFaults Faults { get; } = new();

    public bool IsRunning
    {
        get { lock (_lifecycleLock) return _mailbox is not null; }
    }

    /// <summary>Binds the listener and starts the actor, clock and accept loops.</summary>
    public void Start(int requestedPort)
    {
        lock (_lifecycleLock)
        {
            if (_mailbox is not null) return;
            Socket listenSocket = BrokerListener.Bind(Cluster.Options.Host, Port != 0 ? Port : requestedPort);
            Port = ((System.Net.IPEndPoint)listenSocket.LocalEndPoint!).Port;
            _mailbox = Channel.CreateBounded<BrokerMessage>(new BoundedChannelOptions(MailboxCapacity)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            _lifetime = new CancellationTokenSource();
            CancellationToken ct = _lifetime.Token;
            ChannelReader<BrokerMessage> reader = _mailbox.Reader;
            var listener = new BrokerListener(this, listenSocket);
            var clock = new BrokerClock(this, Cluster.Options.TickInterval);
            _loops = Task.WhenAll(
                Task.Run(() => RunAsync(reader, ct)),
                Task.Run(() => listener.RunAsync(ct)),
                Task.Run(() => clock.RunAsync(ct)));
            Logger.LogInformation("Broker {Broker} ({Rack}) listening on {Host}:{Port}", Id, Rack, Cluster.Options.Host, Port);
        }
    }

    /// <summary>Closes the listener and every session (a FIN each), stops the actor and forgets in-flight work.</summary>
    public Task StopAsync() => ShutDownAsync(resetConnections: false);

    /// <summary>Dies as a crashed process does: every session is reset (an RST each), nothing is answered.</summary>
    public Task CrashAsync() => ShutDownAsync(resetConnections: true);

    private async Task ShutDownAsync(bool resetConnections)
    {
        CancellationTokenSource? lifetime;
        Task loops;
        lock (_lifecycleLock)
        {
            if (_mailbox is null) return;
            _mailbox.Writer.TryComplete();
            _mailbox = null;
            lifetime = _lifetime;
            loops = _loops;
        }
        if (resetConnections)
        {
            foreach (ClientSession connection in _connections.Values) connection.Reset();
        }
        lifetime!.Cancel();
        DropConnections();
        await loops.ConfigureAwait(false);
        // Yield rather than sleep: closing sessions takes no time on the cluster's clock, which may be virtual.
        while (!_connections.IsEmpty) await Task.Yield();
        lifetime.Dispose();
        // Nothing answers what was in flight: the sessions are gone.
        Replicas.ResetAfterStop();
        Fetches.Clear();
        FetchSessions.Clear();
        DelayedProduces.Clear();
        Logger.LogInformation("Broker {Broker} {How}", Id, resetConnections ? "crashed" : "stopped");
    }

    /// <summary>Posts without waiting; false when stopped or the mailbox is full.</summary>
    public bool TryPost(BrokerMessage message)
    {
        Channel<BrokerMessage>? mailbox;
        lock (_lifecycleLock) mailbox = _mailbox;
        return mailbox is not null && mailbox.Writer.TryWrite(message);
    }

    /// <summary>Posts a client request, waiting while the mailbox is full; false when stopped.</summary>
    public async ValueTask<bool> PostAsync(BrokerMessage message, CancellationToken ct)
    {
        Channel<BrokerMessage>? mailbox;
        lock (_lifecycleLock) mailbox = _mailbox;
        if (mailbox is null) return false;
        try
        {
            await mailbox.Writer.WriteAsync(message, ct).ConfigureAwait(false);
            return true;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    public void DropConnections()
    {
        foreach (ClientSession connection in _connections.Values) connection.Close();
    }

    public void Accept(Socket socket) => Open(new SocketSessionLink(socket, Cluster.Options.TlsCertificate));

    /// <summary>
    /// Opens a session over an in-memory pipe pair and returns the client's end; refused, as a closed
    /// port refuses TCP, while the broker is stopped.
    /// </summary>
    /// <exception cref="SocketException">The broker is stopped (connection refused).</exception>
    public IDuplexPipe ConnectInMemory()
    {
        var link = new InMemorySessionLink();
        lock (_lifecycleLock)
        {
            // Under the lock, so a stop either refuses this connection or finds its session to close.
            if (_mailbox is null) throw new SocketException((int)SocketError.ConnectionRefused);
            return link.ClientEnd(Open(link).Close);
        }
    }

    private ClientSession Open(SessionLink link)
    {
        Counters.ConnectionAccepted();
        long id = Interlocked.Increment(ref _nextConnectionId);
        var connection = new ClientSession(id, link, this);
        _connections[id] = connection;
        _ = Task.Run(async () =>
        {
            try
            {
                await connection.RunAsync().ConfigureAwait(false);
            }
            finally
            {
                _connections.TryRemove(id, out _);
            }
        });
        return connection;
    }

    /// <summary>The actor loop: one message at a time, then wake fetches whose data arrived.</summary>
    private async Task RunAsync(ChannelReader<BrokerMessage> mailbox, CancellationToken ct)
    {
        try
        {
            while (await mailbox.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (mailbox.TryRead(out BrokerMessage? message))
                {
                    Dispatch(message);
                }
                Fetches.CompleteReady();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private void Dispatch(BrokerMessage message)
    {
        try
        {
            switch (message)
            {
                case ClientRequest request:
                    request.Context.Api.Handle!(this, request.Context);
                    break;
                case LeaderAndIsr leaderAndIsr:
                    Replicas.OnLeaderAndIsr(leaderAndIsr);
                    leaderAndIsr.Done?.TrySetResult();
                    break;
                case StopReplica stop:
                    Replicas.OnStopReplica(stop);
                    stop.Done?.TrySetResult();
                    break;
                case ReplicaPush push:
                    Replicas.OnReplicaPush(push);
                    break;
                case FollowerSync sync:
                    Replicas.OnFollowerSync(sync);
                    break;
                case ReplicaAck ack:
                    Replicas.OnReplicaAck(ack);
                    break;
                case WriteTxnMarker marker:
                    TransactionMarkers.Write(this, marker);
                    break;
                case Tick:
                    OnTick();
                    break;
            }
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "Broker {Broker} failed handling {Message}", Id, message.GetType().Name);
            switch (message)
            {
                case ClientRequest request when !request.Context.IsAnswered:
                    request.Context.Fail(Protocol.ErrorCode.UnknownServerError);
                    break;
                case LeaderAndIsr leaderAndIsr:
                    leaderAndIsr.Done?.TrySetResult();
                    break;
                case StopReplica stop:
                    stop.Done?.TrySetResult();
                    break;
                case WriteTxnMarker marker:
                    marker.Done.TrySetResult(Protocol.ErrorCode.UnknownServerError);
                    break;
            }
        }
    }

    private void OnTick()
    {
        long now = Cluster.NowMs;
        for (int i = DelayedProduces.Count - 1; i >= 0; i--)
        {
            DelayedProduce produce = DelayedProduces[i];
            if (produce.IsCompleted) DelayedProduces.RemoveAt(i);
            else if (produce.Deadline <= now)
            {
                produce.Expire();
                DelayedProduces.RemoveAt(i);
            }
        }
        Fetches.ExpireDue(now);
        Groups.OnTick(now);
        Transactions.OnTick(now);
    }
}
