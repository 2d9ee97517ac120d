namespace KafkaNative.Sim;

/// <summary>
/// One partition of a fetch session (KIP-227), or of a sessionless fetch: what the client asked for
/// last (fetch offset, max bytes, leader epoch, log start) and what the broker told it last (high
/// watermark, last stable offset, log start offset), so an incremental response can leave out a
/// partition with no records and nothing changed.
/// </summary>
internal sealed class SessionPartition(string topic, Guid topicId, int partition)
{
    /// <summary>The topic's name; empty until resolved for topic-id versions (v13+).</summary>
    public string Topic { get; set; } = topic;

    public Guid TopicId { get; } = topicId;

    public int Partition { get; } = partition;

    public long FetchOffset { get; set; }

    public int MaxBytes { get; set; }

    public int CurrentLeaderEpoch { get; set; } = -1;

    /// <summary>The leader epoch of the fetcher's last fetched batch (v12+, KIP-595), or -1.</summary>
    public int LastFetchedEpoch { get; set; } = -1;

    public long LogStartOffset { get; set; } = -1;

    /// <summary>The high watermark the client was last sent; -1 after an error, so the partition is sent again.</summary>
    public long SentHighWatermark { get; set; } = -1;

    public long SentLastStableOffset { get; set; } = -1;

    public long SentLogStartOffset { get; set; } = -1;

    /// <summary>The session key: the topic id at v13+, else the topic name.</summary>
    public (Guid TopicId, string Topic, int Partition) Key => TopicId != Guid.Empty ? (TopicId, "", Partition) : (Guid.Empty, Topic, Partition);
}

/// <summary>An incremental fetch session: its id, the epoch the next incremental fetch must carry, and its partitions in order.</summary>
internal sealed class FetchSession(int id, bool usesTopicIds)
{
    private readonly Dictionary<(Guid, string, int), SessionPartition> _byKey = [];

    public int Id { get; } = id;

    /// <summary>The epoch the next incremental request must carry: 1 after creation, then wrapping from int.MaxValue to 1.</summary>
    public int Epoch { get; set; } = 1;

    /// <summary>Whether the session was created by a topic-id version (v13+); a request of the other kind gets FETCH_SESSION_TOPIC_ID_ERROR.</summary>
    public bool UsesTopicIds { get; } = usesTopicIds;

    /// <summary>The partitions in the order they were added; the response follows it.</summary>
    public List<SessionPartition> Partitions { get; } = [];

    /// <summary>Where the session sits in the cache's recency list.</summary>
    public LinkedListNode<FetchSession>? Node { get; set; }

    /// <summary>Adds the partition, or updates what the client asks for it.</summary>
    public void Upsert(SessionPartition wanted)
    {
        if (_byKey.TryGetValue(wanted.Key, out SessionPartition? known))
        {
            known.FetchOffset = wanted.FetchOffset;
            known.MaxBytes = wanted.MaxBytes;
            known.CurrentLeaderEpoch = wanted.CurrentLeaderEpoch;
            known.LastFetchedEpoch = wanted.LastFetchedEpoch;
            known.LogStartOffset = wanted.LogStartOffset;
            return;
        }
        _byKey[wanted.Key] = wanted;
        Partitions.Add(wanted);
    }

    /// <summary>Drops a partition the client forgot.</summary>
    public void Forget((Guid, string, int) key)
    {
        if (_byKey.Remove(key, out SessionPartition? removed)) Partitions.Remove(removed);
    }

    /// <summary>The epoch after <paramref name="epoch"/>, as Kafka counts: int.MaxValue wraps to 1 (0 means "new session").</summary>
    public static int NextEpoch(int epoch) => epoch == int.MaxValue ? 1 : epoch + 1;
}

/// <summary>
/// A broker's fetch session cache (Kafka's <c>max.incremental.fetch.session.cache.slots</c>), touched only by
/// the broker's actor. When full, a new session evicts the least recently used one. Kafka instead keeps
/// sessions used within <c>min.incremental.fetch.session.eviction.ms</c> (2 minutes) unless the newcomer
/// has more partitions (or is a follower), and otherwise creates no session; the Sim's plain LRU lets tests
/// provoke an eviction at will and never refuses a session while it has any slot. Sessions die with the
/// broker process: a stop or crash empties the cache, ids keep counting so none is reused.
/// </summary>
internal sealed class FetchSessionCache(int capacity)
{
    private readonly Dictionary<int, FetchSession> _sessions = [];
    private readonly LinkedList<FetchSession> _recency = new();
    private int _lastId;

    public int Count => _sessions.Count;

    /// <summary>A new session, evicting the least recently used one when full (counted); null when the cache has no slots.</summary>
    public FetchSession? Create(bool usesTopicIds, BrokerCounters counters)
    {
        if (capacity <= 0) return null;
        while (_sessions.Count >= capacity && _recency.First is { } oldest)
        {
            Remove(oldest.Value.Id);
            counters.FetchAnswered(Handlers.FetchKind.Evicted);
        }
        do
        {
            _lastId = _lastId == int.MaxValue ? 1 : _lastId + 1;
        }
        while (_sessions.ContainsKey(_lastId));
        var session = new FetchSession(_lastId, usesTopicIds);
        _sessions[session.Id] = session;
        session.Node = _recency.AddLast(session);
        return session;
    }

    public bool TryGet(int id, out FetchSession? session) => _sessions.TryGetValue(id, out session);

    /// <summary>Marks the session most recently used.</summary>
    public void Touch(FetchSession session)
    {
        if (session.Node is null) return;
        _recency.Remove(session.Node);
        _recency.AddLast(session.Node);
    }

    public bool Remove(int id)
    {
        if (!_sessions.Remove(id, out FetchSession? session)) return false;
        if (session.Node is not null) _recency.Remove(session.Node);
        session.Node = null;
        return true;
    }

    /// <summary>Forgets every session (the broker stopped).</summary>
    public void Clear()
    {
        _sessions.Clear();
        _recency.Clear();
    }
}
