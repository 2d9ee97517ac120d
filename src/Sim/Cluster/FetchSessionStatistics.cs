namespace KafkaNative.Sim;

/// <summary>How fetches met the brokers' fetch session caches (KIP-227), counted since the cluster started.</summary>
/// <param name="Full">Full fetches that opened a session (epoch 0).</param>
/// <param name="Incremental">Incremental fetches of an open session.</param>
/// <param name="Sessionless">Full fetches without a session: epoch -1 (sessions off, or a close), versions before 7, or a cache with no slots.</param>
/// <param name="SessionErrors">Fetches refused with FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH or FETCH_SESSION_TOPIC_ID_ERROR.</param>
/// <param name="Closed">Sessions their clients closed (a full fetch naming the session).</param>
/// <param name="Evicted">Sessions evicted to make room for a new one.</param>
public readonly record struct FetchSessionStatistics(long Full, long Incremental, long Sessionless, long SessionErrors, long Closed, long Evicted);
