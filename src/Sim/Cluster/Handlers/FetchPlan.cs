using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Sim.Handlers;

/// <summary>
/// What one fetch reads and how its response is cut (KIP-227): the request's own partitions for a
/// sessionless fetch, or a session's partitions. A full fetch answers every partition; an incremental
/// one only those with records, an error, or a high watermark, last stable offset or log start offset
/// other than the client was last sent.
/// </summary>
internal sealed class FetchPlan(List<SessionPartition> partitions, FetchSession? session, bool incremental)
{
    private const int InitialEpoch = 0;
    private const int FinalEpoch = -1;

    public List<SessionPartition> Partitions { get; } = partitions;

    /// <summary>The session the response names (its id), or null for a sessionless fetch (id 0).</summary>
    public FetchSession? Session { get; } = session;

    public bool Incremental { get; } = incremental;

    /// <summary>
    /// Applies the request to the broker's session cache: epoch 0 opens a session (closing the one named, if
    /// any); epoch -1 is a full fetch without a session (closing the one named: a client's close); any other
    /// epoch continues the named session, which must exist (else FETCH_SESSION_ID_NOT_FOUND), expect this epoch
    /// (else INVALID_FETCH_SESSION_EPOCH) and name topics the same way (else FETCH_SESSION_TOPIC_ID_ERROR).
    /// Null with <paramref name="error"/> set when the request fails as a whole.
    /// </summary>
    public static FetchPlan? Create(SimulatedBroker broker, short version, FetchRequest request, out ErrorCode error)
    {
        error = ErrorCode.None;
        bool topicIds = version >= 13;
        BrokerCounters counters = broker.Counters;
        if (version < 7)
        {
            counters.FetchAnswered(FetchKind.Sessionless);
            return Sessionless(request, topicIds);
        }
        FetchSessionCache cache = broker.FetchSessions;
        if (request.SessionEpoch is InitialEpoch or FinalEpoch)
        {
            if (request.SessionId != 0 && cache.Remove(request.SessionId)) counters.FetchAnswered(FetchKind.Closed);
            FetchSession? created = request.SessionEpoch == InitialEpoch ? cache.Create(topicIds, counters) : null;
            if (created is null)
            {
                counters.FetchAnswered(FetchKind.Sessionless);
                return Sessionless(request, topicIds);
            }
            foreach (SessionPartition wanted in Requested(request, topicIds)) created.Upsert(wanted);
            counters.FetchAnswered(FetchKind.Full);
            return new FetchPlan(created.Partitions, created, incremental: false);
        }

        if (!cache.TryGet(request.SessionId, out FetchSession? session)) error = ErrorCode.FetchSessionIdNotFound;
        else if (session!.Epoch != request.SessionEpoch) error = ErrorCode.InvalidFetchSessionEpoch;
        else if (session.UsesTopicIds != topicIds) error = ErrorCode.FetchSessionTopicIdError;
        if (error != ErrorCode.None)
        {
            counters.FetchAnswered(FetchKind.SessionError);
            return null;
        }
        // As Kafka: the request's partitions are added or updated first, then the forgotten ones removed.
        foreach (SessionPartition wanted in Requested(request, topicIds)) session!.Upsert(wanted);
        foreach (FetchRequest.ForgottenTopic forgotten in request.ForgottenTopicsData)
        {
            foreach (int partition in forgotten.Partitions)
                session!.Forget(topicIds ? (forgotten.TopicId, "", partition) : (Guid.Empty, forgotten.Topic, partition));
        }
        session!.Epoch = FetchSession.NextEpoch(session.Epoch);
        cache.Touch(session);
        counters.FetchAnswered(FetchKind.Incremental);
        return new FetchPlan(session.Partitions, session, incremental: true);
    }

    /// <summary>
    /// Whether an incremental response must carry the partition, remembering what it carries. Errors reset the
    /// remembered high watermark, so the partition comes back once the error is gone.
    /// </summary>
    public bool Include(SessionPartition partition, FetchResponse.PartitionData data)
    {
        bool changed = data.HighWatermark != partition.SentHighWatermark
            || data.LastStableOffset != partition.SentLastStableOffset
            || data.LogStartOffset != partition.SentLogStartOffset;
        bool include = !Incremental || changed || data.ErrorCode != 0 || data.Records is { Length: > 0 } || data.DivergingEpoch is { EndOffset: >= 0 };
        if (Session is null) return include;
        partition.SentHighWatermark = data.ErrorCode != 0 ? -1 : data.HighWatermark;
        partition.SentLastStableOffset = data.LastStableOffset;
        partition.SentLogStartOffset = data.LogStartOffset;
        return include;
    }

    private static FetchPlan Sessionless(FetchRequest request, bool topicIds) => new([.. Requested(request, topicIds)], null, incremental: false);

    private static IEnumerable<SessionPartition> Requested(FetchRequest request, bool topicIds)
    {
        foreach (FetchRequest.FetchTopic topic in request.Topics)
        {
            foreach (FetchRequest.FetchPartition partition in topic.Partitions)
            {
                yield return new SessionPartition(topicIds ? "" : topic.Topic, topicIds ? topic.TopicId : Guid.Empty, partition.Partition)
                {
                    FetchOffset = partition.FetchOffset,
                    MaxBytes = partition.PartitionMaxBytes,
                    CurrentLeaderEpoch = partition.CurrentLeaderEpoch,
                    LastFetchedEpoch = partition.LastFetchedEpoch,
                    LogStartOffset = partition.LogStartOffset,
                };
            }
        }
    }
}

/// <summary>How the broker took a fetch, for its counters.</summary>
internal enum FetchKind
{
    /// <summary>A full fetch that opened a session (epoch 0).</summary>
    Full,

    /// <summary>An incremental fetch of an open session.</summary>
    Incremental,

    /// <summary>A full fetch without a session (epoch -1, an old version, or no slot).</summary>
    Sessionless,

    /// <summary>Refused with a session error (70, 71, 106).</summary>
    SessionError,

    /// <summary>A session closed by its client.</summary>
    Closed,

    /// <summary>A session evicted for a new one.</summary>
    Evicted,
}
