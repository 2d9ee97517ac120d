using KafkaNative.Protocol;

namespace KafkaNative.Client;

/// <summary>
/// The requests of one connection that are on the wire and await a response, oldest first. Brokers
/// answer in order, so a response must carry the correlation id of the oldest one.
/// </summary>
/// <param name="broker">Names the broker in protocol errors.</param>
/// <param name="capacity">
/// Cancelled requests give their slot back before their response arrives; this caps how many such
/// abandoned requests may pile up before the broker is deemed unresponsive.
/// </param>
internal sealed class InFlightRequests(string broker, int capacity)
{
    private readonly Queue<PendingRequest> _awaiting = new();
    private bool _closed;

    public int Capacity => capacity;

    /// <summary>Requests on the wire awaiting a response.</summary>
    public int Count
    {
        get
        {
            lock (_awaiting) return _awaiting.Count;
        }
    }

    /// <summary>Adds a request about to be written; false when closed or full.</summary>
    public bool TryAdd(PendingRequest pending)
    {
        lock (_awaiting)
        {
            if (_closed || _awaiting.Count >= capacity) return false;
            _awaiting.Enqueue(pending);
            return true;
        }
    }

    /// <summary>Removes the oldest request, which must carry <paramref name="correlationId"/>.</summary>
    /// <exception cref="KafkaProtocolException">No request awaits a response, or the oldest has another correlation id.</exception>
    public PendingRequest Take(int correlationId)
    {
        lock (_awaiting)
        {
            if (!_awaiting.TryPeek(out PendingRequest? oldest))
                throw new KafkaProtocolException($"{broker} sent a response (correlation id {correlationId}) with no request awaiting one", "correlation_id", 0);
            if (oldest.CorrelationId != correlationId)
                throw new KafkaProtocolException($"{broker} sent correlation id {correlationId}, but the oldest request awaiting a response has {oldest.CorrelationId}", "correlation_id", 0);
            return _awaiting.Dequeue();
        }
    }

    /// <summary>The first request whose deadline (a timestamp of the options' TimeProvider) is at or before <paramref name="now"/>, or null.</summary>
    public PendingRequest? FindExpired(long now)
    {
        lock (_awaiting)
        {
            foreach (PendingRequest pending in _awaiting)
            {
                if (pending.Deadline <= now) return pending;
            }
        }
        return null;
    }

    /// <summary>Refuses further requests and returns those still awaiting a response.</summary>
    public PendingRequest[] Close()
    {
        lock (_awaiting)
        {
            _closed = true;
            PendingRequest[] awaiting = _awaiting.ToArray();
            _awaiting.Clear();
            return awaiting;
        }
    }
}
