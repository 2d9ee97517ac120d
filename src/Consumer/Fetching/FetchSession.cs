using System.Runtime.InteropServices;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Consumer.Fetching;

/// <summary>
/// The client's side of one broker's fetch session (KIP-227). The first fetch is full and opens a session
/// (id 0, epoch 0); the following ones are incremental (the session's id, epoch 1, 2, ... wrapping from
/// int.MaxValue to 1) and carry only the partitions whose fetch offset or max bytes changed since the
/// last request, plus the partitions dropped since (forgotten). The broker answers an incremental fetch
/// only for partitions with records or changes, so what the session holds is kept here. A session error
/// or a failed fetch makes the next fetch full again (closing the old session, or opening a new one).
/// With sessions off every fetch is full and sessionless (epoch -1). Request objects are reused, so a
/// steady incremental fetch allocates next to nothing.
/// </summary>
internal sealed class FetchSession(bool enabled)
{
    private const int FinalEpoch = -1;

    /// <summary>Per partition, the fetch offset, max bytes and epochs the broker's session holds, and the round it was last fetched in.</summary>
    private readonly Dictionary<(string Topic, int Partition), (long FetchOffset, int MaxBytes, int LastFetchedEpoch, int CurrentLeaderEpoch, long Round)> _held = [];
    private readonly List<FetchRequest.FetchTopic> _topicPool = [];
    private readonly List<FetchRequest.FetchPartition> _partitionPool = [];
    private int _id;
    private int _epoch;
    private int _closeId;
    private long _round;
    private bool _sentFull = true;

    /// <summary>The open session's id, 0 when none.</summary>
    public int Id => _id;

    /// <summary>The epoch of the next incremental fetch; 0 when the next fetch is full. Settable for tests of the wrap.</summary>
    public int Epoch
    {
        get => _epoch;
        set => _epoch = value;
    }

    /// <summary>Whether the request built last was a full fetch.</summary>
    public bool SentFull => _sentFull;

    /// <summary>
    /// Fills <paramref name="request"/>'s session fields, topics and forgotten topics for the partitions of
    /// <paramref name="fetching"/>, which must be sorted by topic; topics carry their ids from <paramref name="topicIds"/>
    /// (written at v13+, where they replace the names). A partition whose leader epochs changed is sent again
    /// (KIP-320's CurrentLeaderEpoch, and KIP-595's LastFetchedEpoch when <paramref name="withLastFetchedEpoch"/>: v12+).
    /// </summary>
    public void Build(FetchRequest request, List<(PartitionConsumer Partition, long Offset, int Version, int LastFetchedEpoch, int CurrentLeaderEpoch)> fetching, int partitionMaxBytes,
        IReadOnlyDictionary<string, Guid>? topicIds = null, bool withLastFetchedEpoch = false)
    {
        _round++;
        bool full = !enabled || _epoch == 0;
        _sentFull = full;
        request.SessionId = !enabled ? 0 : full ? _closeId : _id;
        request.SessionEpoch = !enabled ? FinalEpoch : full ? 0 : _epoch;
        _closeId = 0;
        if (full) _held.Clear();
        request.Topics.Clear();
        request.ForgottenTopicsData.Clear();
        int topics = 0, partitions = 0;
        FetchRequest.FetchTopic? topic = null;
        foreach ((PartitionConsumer partition, long offset, _, int fetchedEpoch, int currentLeaderEpoch) in fetching)
        {
            int lastFetchedEpoch = withLastFetchedEpoch ? fetchedEpoch : -1;
            if (enabled)
            {
                ref (long FetchOffset, int MaxBytes, int LastFetchedEpoch, int CurrentLeaderEpoch, long Round) held =
                    ref CollectionsMarshal.GetValueRefOrAddDefault(_held, (partition.Topic, partition.Partition), out bool known);
                bool unchanged = known && held.FetchOffset == offset && held.MaxBytes == partitionMaxBytes
                    && held.LastFetchedEpoch == lastFetchedEpoch && held.CurrentLeaderEpoch == currentLeaderEpoch;
                held = (offset, partitionMaxBytes, lastFetchedEpoch, currentLeaderEpoch, _round);
                if (unchanged && !full) continue;
            }
            if (topic is null || topic.Topic != partition.Topic)
            {
                topic = Rent(_topicPool, topics++);
                topic.Topic = partition.Topic;
                topic.TopicId = topicIds?.GetValueOrDefault(partition.Topic) ?? Guid.Empty;
                topic.Partitions.Clear();
                request.Topics.Add(topic);
            }
            FetchRequest.FetchPartition fetch = Rent(_partitionPool, partitions++);
            fetch.Partition = partition.Partition;
            fetch.FetchOffset = offset;
            fetch.PartitionMaxBytes = partitionMaxBytes;
            // KIP-320: a leader at another epoch refuses the fetch (FENCED or UNKNOWN_LEADER_EPOCH); v12+ (KIP-595)
            // answers DivergingEpoch when the last fetched epoch ends before the offset on it.
            fetch.CurrentLeaderEpoch = currentLeaderEpoch;
            fetch.LastFetchedEpoch = lastFetchedEpoch;
            topic.Partitions.Add(fetch);
        }
        if (full) return;
        FetchRequest.ForgottenTopic? forgotten = null;
        foreach (((string Topic, int Partition) key, (long, int, int, int, long Round) held) in _held)
        {
            if (held.Round == _round) continue;
            // Removing while enumerating is allowed for Dictionary since .NET Core 3.0.
            _held.Remove(key);
            if (forgotten is null || forgotten.Topic != key.Topic)
            {
                forgotten = request.ForgottenTopicsData.Find(f => f.Topic == key.Topic);
                if (forgotten is null)
                {
                    forgotten = new FetchRequest.ForgottenTopic { Topic = key.Topic, TopicId = topicIds?.GetValueOrDefault(key.Topic) ?? Guid.Empty };
                    request.ForgottenTopicsData.Add(forgotten);
                }
            }
            forgotten.Partitions.Add(key.Partition);
        }
    }

    /// <summary>
    /// Takes the response's session id and moves the epoch on. False for a session error
    /// (FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH, FETCH_SESSION_TOPIC_ID_ERROR) to an
    /// incremental fetch: the response carries no partitions and the next fetch is full. Any other
    /// top-level error is the caller's to handle (it calls <see cref="Reset"/>).
    /// </summary>
    public bool OnResponse(FetchResponse response)
    {
        if (!enabled) return true;
        var error = (ErrorCode)response.ErrorCode;
        if ((error is ErrorCode.FetchSessionIdNotFound or ErrorCode.InvalidFetchSessionEpoch or ErrorCode.FetchSessionTopicIdError) && !_sentFull)
        {
            // A session the broker no longer knows needs no close; one it knows at another epoch does.
            _closeId = error == ErrorCode.FetchSessionIdNotFound ? 0 : _id;
            _id = 0;
            _epoch = 0;
            return false;
        }
        if (error != ErrorCode.None) return true;
        if (response.SessionId == 0)
        {
            // No session (the broker has no slot, or closed it): full fetches until one opens.
            _id = 0;
            _epoch = 0;
        }
        else if (_sentFull)
        {
            _id = response.SessionId;
            _epoch = 1;
        }
        else
        {
            _epoch = _epoch == int.MaxValue ? 1 : _epoch + 1;
        }
        return true;
    }

    /// <summary>After a failed fetch or a lost connection: the next fetch is full and closes the old session, if any.</summary>
    public void Reset()
    {
        if (_id != 0) _closeId = _id;
        _id = 0;
        _epoch = 0;
        _held.Clear();
    }

    /// <summary>A request that closes the open session (epoch -1, no partitions, no wait); null when none is open.</summary>
    public FetchRequest? CloseRequest()
    {
        if (!enabled || _id == 0) return null;
        var request = new FetchRequest { ReplicaId = Sentinels.ClientReplicaId, SessionId = _id, SessionEpoch = FinalEpoch, MaxWaitMs = 0, MinBytes = 0 };
        _id = 0;
        _epoch = 0;
        _held.Clear();
        return request;
    }

    private static T Rent<T>(List<T> pool, int index) where T : new()
    {
        if (index == pool.Count) pool.Add(new T());
        return pool[index];
    }
}
