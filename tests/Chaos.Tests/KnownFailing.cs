namespace KafkaNative.Chaos.Tests;

/// <summary>
/// Matrix cells that fail today because of product bugs, run under <c>[Trait("Category", "KnownFailing")]</c>
/// until the fix lands; then the fault leaves these lists (and an emptied list's theory goes). Some fail
/// every run, some one run in two or three: a cell that ever failed on a product bug is listed.
/// </summary>
internal static class KnownFailing
{
    /// <summary>
    /// kill-restart (every run): acknowledged records stored twice, the second copy re-sent under a new
    /// producer id from sequence 0 (1,608 in one run), or records failed with OUT_OF_ORDER_SEQUENCE_NUMBER
    /// when the 30 s delivery budget ran out (1,072), though the fault lasts 4 s.
    /// leader-move (two runs in four): 29,127 records failed with NOT_LEADER_OR_FOLLOWER from the old
    /// leader after a 90 s ack gap (the producer kept sending to it); or no acknowledgement for 10.1 s.
    /// drop-connections, stall-under-timeout (two runs in four): 1,340, 134 and 842, 299 records failed
    /// with OUT_OF_ORDER_SEQUENCE_NUMBER after the 30 s budget.
    /// </summary>
    public static readonly string[] ProducerFaults = ["kill-restart", "leader-move", "drop-connections", "stall-under-timeout"];

    /// <summary>
    /// kill-restart (every run): 536 records failed with OUT_OF_ORDER_SEQUENCE_NUMBER after the 30 s budget.
    /// drop-connections (one run in two): 268 records failed the same way.
    /// </summary>
    public static readonly string[] ConsumerGroupFaults = ["kill-restart", "drop-connections"];
}
