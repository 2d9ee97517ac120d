using KafkaNative.Protocol;
using KafkaNative.Sim.Groups;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Sim;

/// <summary>
/// The cluster's controller: the source of truth for topics, replica placement, leaders, in-sync
/// replicas and which brokers are up. It decides under one lock and tells brokers through their
/// mailboxes (LeaderAndIsr, StopReplica), leader first, so every broker sees decisions in order.
/// </summary>
internal sealed class ClusterController
{
    private readonly object _lock = new();
    private readonly Dictionary<string, TopicState> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, TopicState> _topicsById = new();
    private readonly Random _random;
    private readonly ClusterOptions _options;
    private readonly ILogger _logger;
    private readonly bool[] _alive;
    private readonly CoordinatorSlots _coordinators;
    private SimulatedBroker[] _brokers = [];

    public ClusterController(ClusterOptions options, IReadOnlyList<BrokerSpec> brokers, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _random = new Random(options.Seed);
        Racks = brokers.Select(b => b.Zone).ToArray();
        _alive = new bool[brokers.Count];
        _coordinators = new CoordinatorSlots(brokers.Count);
        ClusterId = $"sim-{options.Seed:x8}";
    }

    public string ClusterId { get; }

    public IReadOnlyList<string> Racks { get; }

    public int BrokerCount => Racks.Count;

    public void Attach(SimulatedBroker[] brokers) => _brokers = brokers;

    // ---- reads ----

    public IReadOnlyList<BrokerInfo> AliveBrokers()
    {
        lock (_lock)
        {
            return _brokers.Where(b => _alive[b.Id]).Select(b => new BrokerInfo(b.Id, b.Rack, _options.Host, b.Port)).ToList();
        }
    }

    /// <summary>The broker Metadata names as controller: the lowest live id.</summary>
    public int ControllerId
    {
        get { lock (_lock) return Array.IndexOf(_alive, true); }
    }

    public TopicSnapshot? Topic(string name)
    {
        lock (_lock) return _topics.TryGetValue(name, out TopicState? topic) ? Snapshot(topic) : null;
    }

    public TopicSnapshot? Topic(Guid id)
    {
        lock (_lock) return _topicsById.TryGetValue(id, out TopicState? topic) ? Snapshot(topic) : null;
    }

    public IReadOnlyList<TopicSnapshot> AllTopics()
    {
        lock (_lock) return _topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal).Select(Snapshot).ToList();
    }

    public int LeaderOf(TopicAndPartition partition)
    {
        lock (_lock) return Find(partition)?.Leader ?? -1;
    }

    /// <summary>The coordinator of a group and its slot's epoch (see <see cref="CoordinatorSlots"/>).</summary>
    public (int BrokerId, int Epoch) CoordinatorFor(string groupId)
    {
        lock (_lock) return _coordinators.Get(groupId);
    }

    /// <summary>
    /// Moves a group's coordinator to <paramref name="brokerId"/>, as moving the leader of its __consumer_offsets
    /// partition does: every group of that partition moves with it.
    /// </summary>
    public void MoveCoordinator(string groupId, int brokerId)
    {
        lock (_lock)
        {
            if (brokerId < 0 || brokerId >= BrokerCount || !_alive[brokerId]) throw new InvalidOperationException($"Broker {brokerId} is not a live broker.");
            if (_coordinators.Move(groupId, brokerId))
                _logger.LogInformation("Coordinator of group {Group} (__consumer_offsets-{Slot}) moved to broker {Broker}", groupId, CoordinatorSlots.SlotOf(groupId), brokerId);
        }
    }

    // ---- topic administration ----

    /// <summary>Creates a topic and tells its replicas; the task completes once every live replica has it.</summary>
    public (ErrorCode Error, string? Message, TopicSnapshot? Topic, Task Created) CreateTopic(
        string name, int partitions, short replicationFactor, IReadOnlyList<int[]>? assignment,
        IReadOnlyDictionary<string, string?>? configs, bool validateOnly)
    {
        if (!TopicNames.IsValid(name)) return (ErrorCode.InvalidTopicException, $"Topic name \"{name}\" is illegal", null, Task.CompletedTask);
        configs ??= new Dictionary<string, string?>();
        if (TopicConfig.Validate(configs) is string configError) return (ErrorCode.InvalidConfig, configError, null, Task.CompletedTask);
        lock (_lock)
        {
            if (_topics.ContainsKey(name)) return (ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists.", null, Task.CompletedTask);
            if (_topics.Keys.FirstOrDefault(existing => TopicNames.Collide(existing, name)) is { } collision)
                return (ErrorCode.InvalidTopicException, $"Topic '{name}' collides with existing topic: {collision}", null, Task.CompletedTask);
            (ErrorCode error, string? message, List<int[]>? replicas) = PlaceReplicas(partitions, replicationFactor, assignment, 0);
            if (replicas is null) return (error, message, null, Task.CompletedTask);

            var topic = new TopicState(name, NewTopicId(), new TopicConfig(configs, _options));
            for (int p = 0; p < replicas.Count; p++) topic.Partitions.Add(NewPartition(p, replicas[p]));
            if (validateOnly) return (ErrorCode.None, null, Snapshot(topic), Task.CompletedTask);

            _topics.Add(name, topic);
            _topicsById.Add(topic.Id, topic);
            var done = new List<Task>();
            foreach (SimulatedPartition partition in topic.Partitions) done.Add(Announce(topic, partition));
            _logger.LogInformation("Created topic {Topic} with {Partitions} partitions, replication factor {ReplicationFactor}", name, replicas.Count, replicas[0].Length);
            return (ErrorCode.None, null, Snapshot(topic), Task.WhenAll(done));
        }
    }

    /// <summary>
    /// Applies IncrementalAlterConfigs operations (0 set, 1 delete, 2 append, 3 subtract, the last two
    /// on comma-separated lists) to a topic's overrides and tells its replicas.
    /// </summary>
    public (ErrorCode Error, string? Message) AlterTopicConfig(string name, IReadOnlyList<(string Name, sbyte Operation, string? Value)> changes, bool validateOnly)
    {
        lock (_lock)
        {
            if (!_topics.TryGetValue(name, out TopicState? topic)) return (ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
            var overrides = new Dictionary<string, string?>(topic.Config.Overrides, StringComparer.Ordinal);
            foreach ((string key, sbyte operation, string? value) in changes)
            {
                if (!topic.Config.Defaults.ContainsKey(key)) return (ErrorCode.InvalidConfig, $"Unknown topic config name: {key}");
                List<string> Items() => (overrides.TryGetValue(key, out string? current) ? current : topic.Config.Defaults[key])?
                    .Split(',', StringSplitOptions.RemoveEmptyEntries).ToList() ?? [];
                switch (operation)
                {
                    case 0: overrides[key] = value; break;
                    case 1: overrides.Remove(key); break;
                    case 2: overrides[key] = string.Join(',', Items().Union((value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))); break;
                    case 3: overrides[key] = string.Join(',', Items().Except((value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))); break;
                    default: return (ErrorCode.InvalidRequest, $"Unknown config operation {operation}");
                }
            }
            if (TopicConfig.Validate(overrides) is string configError) return (ErrorCode.InvalidConfig, configError);
            if (validateOnly) return (ErrorCode.None, null);

            topic.Config = new TopicConfig(overrides, _options);
            foreach (SimulatedPartition partition in topic.Partitions) _ = Announce(topic, partition);
            _logger.LogInformation("Altered the configuration of topic {Topic}", name);
            return (ErrorCode.None, null);
        }
    }

    /// <summary>Grows a topic to <paramref name="count"/> partitions.</summary>
    public (ErrorCode Error, string? Message, Task Created) CreatePartitions(string name, int count, IReadOnlyList<int[]>? assignment, bool validateOnly)
    {
        lock (_lock)
        {
            if (!_topics.TryGetValue(name, out TopicState? topic)) return (ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.", Task.CompletedTask);
            int current = topic.Partitions.Count;
            if (count <= current)
                return (ErrorCode.InvalidPartitions, $"Topic currently has {current} partitions, which is higher than the requested {count}.", Task.CompletedTask);
            if (assignment is not null && assignment.Count != count - current)
                return (ErrorCode.InvalidReplicaAssignment, $"Increasing the number of partitions by {count - current} but {assignment.Count} assignments provided.", Task.CompletedTask);
            (ErrorCode error, string? message, List<int[]>? replicas) = PlaceReplicas(count - current, (short)topic.Partitions[0].Replicas.Length, assignment, current);
            if (replicas is null) return (error, message, Task.CompletedTask);
            if (validateOnly) return (ErrorCode.None, null, Task.CompletedTask);
            var done = new List<Task>();
            foreach (int[] placement in replicas)
            {
                SimulatedPartition partition = NewPartition(topic.Partitions.Count, placement);
                topic.Partitions.Add(partition);
                done.Add(Announce(topic, partition));
            }
            return (ErrorCode.None, null, Task.WhenAll(done));
        }
    }

    /// <summary>Deletes a topic; its replicas are dropped once their brokers process the news.</summary>
    public (ErrorCode Error, TopicSnapshot? Deleted, Task Done) DeleteTopic(string? name, Guid id)
    {
        lock (_lock)
        {
            TopicState? topic = name is not null ? _topics.GetValueOrDefault(name) : _topicsById.GetValueOrDefault(id);
            if (topic is null) return (name is not null ? ErrorCode.UnknownTopicOrPartition : ErrorCode.UnknownTopicId, null, Task.CompletedTask);
            _topics.Remove(topic.Name);
            _topicsById.Remove(topic.Id);
            var done = new List<Task>();
            foreach (SimulatedPartition partition in topic.Partitions)
            {
                foreach (int replica in partition.Replicas)
                {
                    var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    Post(replica, new StopReplica(new TopicAndPartition(topic.Name, partition.Index), tcs), tcs);
                    done.Add(tcs.Task);
                }
            }
            _logger.LogInformation("Deleted topic {Topic}", topic.Name);
            return (ErrorCode.None, Snapshot(topic), Task.WhenAll(done));
        }
    }

    // ---- faults and elections ----

    /// <summary>
    /// A broker is fenced (a controlled shutdown, or its session timed out after a crash): it leaves every
    /// ISR it was in (unless it was the last member, as Kafka keeps the last one), the partitions it led
    /// move to another in-sync replica or go offline, and its coordinator slots move to live brokers.
    /// The task completes once every running replica, the fenced broker's too, has heard.
    /// </summary>
    public Task BrokerStopped(int brokerId)
    {
        lock (_lock)
        {
            _alive[brokerId] = false;
            _coordinators.Rebalance(_alive, returning: -1);
            var done = new List<Task>();
            foreach (TopicState topic in _topics.Values)
            {
                foreach (SimulatedPartition partition in topic.Partitions)
                {
                    if (!partition.Replicas.Contains(brokerId)) continue;
                    bool changed = false;
                    if (partition.Leader == brokerId)
                    {
                        int next = partition.Isr.FirstOrDefault(r => r != brokerId && _alive[r], -1);
                        partition.Leader = next;
                        partition.LeaderEpoch++;
                        changed = true;
                        _logger.LogInformation("{Partition}: leader {Old} stopped, new leader {New} at epoch {Epoch}",
                            new TopicAndPartition(topic.Name, partition.Index), brokerId, next, partition.LeaderEpoch);
                    }
                    if (partition.Isr.Count > 1 && partition.Isr.Remove(brokerId)) changed = true;
                    if (changed)
                    {
                        partition.PartitionEpoch++;
                        done.Add(Announce(topic, partition));
                    }
                }
            }
            return Task.WhenAll(done);
        }
    }

    /// <summary>
    /// A broker is back: it follows the current leaders and catches up, and it takes over partitions
    /// that went offline while it was their last in-sync replica.
    /// </summary>
    public Task BrokerStarted(int brokerId)
    {
        lock (_lock)
        {
            _alive[brokerId] = true;
            _coordinators.Rebalance(_alive, returning: brokerId);
            var done = new List<Task>();
            foreach (TopicState topic in _topics.Values)
            {
                foreach (SimulatedPartition partition in topic.Partitions)
                {
                    if (!partition.Replicas.Contains(brokerId)) continue;
                    if (partition.Leader == -1)
                    {
                        int next = partition.Isr.FirstOrDefault(r => _alive[r], -1);
                        if (next >= 0)
                        {
                            partition.Leader = next;
                            partition.LeaderEpoch++;
                            partition.PartitionEpoch++;
                        }
                    }
                    done.Add(Announce(topic, partition));
                }
            }
            return Task.WhenAll(done);
        }
    }

    /// <summary>Makes <paramref name="brokerId"/>, which must be a live in-sync replica, the leader.</summary>
    public Task MoveLeader(TopicAndPartition tp, int brokerId)
    {
        lock (_lock)
        {
            SimulatedPartition partition = Find(tp) ?? throw new ArgumentException($"Unknown partition {tp}.");
            if (!partition.Isr.Contains(brokerId) || !_alive[brokerId])
                throw new InvalidOperationException($"Broker {brokerId} is not a live in-sync replica of {tp} (ISR {string.Join(",", partition.Isr)}).");
            if (partition.Leader == brokerId) return Task.CompletedTask;
            partition.Leader = brokerId;
            partition.LeaderEpoch++;
            partition.PartitionEpoch++;
            _logger.LogInformation("{Partition}: leadership moved to {Broker} at epoch {Epoch}", tp, brokerId, partition.LeaderEpoch);
            return Announce(_topics[tp.Topic], partition);
        }
    }

    /// <summary>
    /// An unclean election (Kafka's unclean.leader.election, or ElectLeaders UNCLEAN): <paramref name="brokerId"/>,
    /// a live replica in sync or not, leads at a new epoch with itself alone in the ISR. What the old leader wrote
    /// past this broker's log end is lost: replicas ahead of it truncate when they follow it.
    /// </summary>
    public Task ElectUncleanLeader(TopicAndPartition tp, int brokerId)
    {
        lock (_lock)
        {
            SimulatedPartition partition = Find(tp) ?? throw new ArgumentException($"Unknown partition {tp}.");
            if (!partition.Replicas.Contains(brokerId) || !_alive[brokerId])
                throw new InvalidOperationException($"Broker {brokerId} is not a live replica of {tp} (replicas {string.Join(",", partition.Replicas)}).");
            partition.Leader = brokerId;
            partition.LeaderEpoch++;
            partition.PartitionEpoch++;
            partition.Isr.Clear();
            partition.Isr.Add(brokerId);
            _logger.LogWarning("{Partition}: unclean election made {Broker} leader at epoch {Epoch}; records it lacks are lost", tp, brokerId, partition.LeaderEpoch);
            return Announce(_topics[tp.Topic], partition);
        }
    }

    /// <summary>
    /// The leader reports that a follower caught up (Kafka's AlterPartition). Returns the new ISR and
    /// partition epoch, or null when the leader's view is stale.
    /// </summary>
    public (int[] Isr, int PartitionEpoch)? ExpandIsr(TopicAndPartition tp, int leaderId, int leaderEpoch, int followerId)
    {
        lock (_lock)
        {
            SimulatedPartition? partition = Find(tp);
            if (partition is null || partition.Leader != leaderId || partition.LeaderEpoch != leaderEpoch || !_alive[followerId]) return null;
            if (!partition.Isr.Contains(followerId))
            {
                partition.Isr.Add(followerId);
                partition.PartitionEpoch++;
                _logger.LogInformation("{Partition}: broker {Broker} caught up and rejoined the ISR", tp, followerId);
            }
            return (partition.Isr.ToArray(), partition.PartitionEpoch);
        }
    }

    // ---- helpers (call under the lock) ----

    private Task Announce(TopicState topic, SimulatedPartition partition)
    {
        var tp = new TopicAndPartition(topic.Name, partition.Index);
        var done = new List<Task>();
        // The leader hears first, so followers' catch-up requests find it already leading.
        IEnumerable<int> order = partition.Replicas.OrderBy(r => r == partition.Leader ? 0 : 1);
        foreach (int replica in order)
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Post(replica, new LeaderAndIsr(tp, topic.Id, topic.Config, partition.Leader, partition.LeaderEpoch, partition.PartitionEpoch,
                partition.Replicas, partition.Isr.ToArray(), tcs), tcs);
            done.Add(tcs.Task);
        }
        return Task.WhenAll(done);
    }

    private void Post(int brokerId, BrokerMessage message, TaskCompletionSource done)
    {
        // A broker in controlled shutdown still hears (it hands over leadership); a stopped one learns the state when it starts again.
        if (!_brokers[brokerId].TryPost(message)) done.TrySetResult();
    }

    private SimulatedPartition? Find(TopicAndPartition tp) =>
        _topics.TryGetValue(tp.Topic, out TopicState? topic) && tp.Partition >= 0 && tp.Partition < topic.Partitions.Count
            ? topic.Partitions[tp.Partition]
            : null;

    private SimulatedPartition NewPartition(int index, int[] replicas)
    {
        var partition = new SimulatedPartition(index, replicas);
        // Replicas on stopped brokers start out of sync; with none live the partition starts offline.
        if (replicas.Any(r => _alive[r])) partition.Isr.RemoveAll(r => !_alive[r]);
        else partition.Isr.RemoveRange(1, partition.Isr.Count - 1);
        partition.Leader = replicas.FirstOrDefault(r => _alive[r], -1);
        return partition;
    }

    private Guid NewTopicId()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        return new Guid(bytes);
    }

    private static TopicSnapshot Snapshot(TopicState topic) =>
        new(topic.Name, topic.Id, topic.Config,
            topic.Partitions.Select(p => new PartitionSnapshot(p.Index, p.Leader, p.LeaderEpoch, p.Replicas, p.Isr.ToArray())).ToList());

    private (ErrorCode, string?, List<int[]>?) PlaceReplicas(int partitions, short replicationFactor, IReadOnlyList<int[]>? assignment, int firstIndex) =>
        ReplicaPlacement.Place(_alive, Racks, _random, partitions, replicationFactor, assignment, firstIndex);
}
