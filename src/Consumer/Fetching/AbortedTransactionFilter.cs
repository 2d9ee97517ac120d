using KafkaNative.Protocol.Messages;

namespace KafkaNative.Consumer.Fetching;

/// <summary>
/// read_committed filtering of one fetched partition (as the Java client): the response lists aborted
/// transactions by producer id and first offset; a transactional batch is skipped while its producer's
/// transaction is aborted, until that producer's ABORT marker ends it.
/// </summary>
internal sealed class AbortedTransactionFilter
{
    private readonly List<FetchResponse.AbortedTransaction> _pending = [];
    private readonly HashSet<long> _abortedProducers = [];
    private int _next;

    public bool IsActive => _pending.Count > 0 || _abortedProducers.Count > 0;

    public void Reset(List<FetchResponse.AbortedTransaction>? aborted)
    {
        _pending.Clear();
        _abortedProducers.Clear();
        _next = 0;
        if (aborted is null || aborted.Count == 0) return;
        _pending.AddRange(aborted);
        _pending.Sort((a, b) => a.FirstOffset.CompareTo(b.FirstOffset));
    }

    /// <summary>True when a transactional batch of <paramref name="producerId"/> ending at <paramref name="lastOffset"/> is aborted.</summary>
    public bool IsAborted(long producerId, long lastOffset)
    {
        Advance(lastOffset);
        return _abortedProducers.Contains(producerId);
    }

    /// <summary>An ABORT marker of <paramref name="producerId"/> at <paramref name="offset"/> ends its aborted transaction.</summary>
    public void OnAbortMarker(long producerId, long offset)
    {
        Advance(offset);
        _abortedProducers.Remove(producerId);
    }

    private void Advance(long lastOffset)
    {
        while (_next < _pending.Count && _pending[_next].FirstOffset <= lastOffset)
        {
            _abortedProducers.Add(_pending[_next].ProducerId);
            _next++;
        }
    }
}
