using KafkaNative.Protocol.Messages;

namespace KafkaNative.Sim.Handlers;

/// <summary>A fetch waiting for data (Kafka's delayed fetch).</summary>
internal sealed record DelayedFetch(RequestContext Context, FetchRequest Request, long Deadline, FetchPlan Plan);

/// <summary>
/// Fetches waiting for min bytes. After each batch of mailbox messages that changed readable data,
/// the broker re-checks them; ticks answer those whose max wait has passed with whatever there is.
/// </summary>
internal sealed class FetchPurgatory(SimulatedBroker broker)
{
    private readonly List<DelayedFetch> _waiting = new();
    private bool _dirty;

    public void Add(DelayedFetch fetch) => _waiting.Add(fetch);

    public void MarkDirty() => _dirty = true;

    public void CompleteReady()
    {
        if (!_dirty) return;
        _dirty = false;
        for (int i = _waiting.Count - 1; i >= 0; i--)
        {
            DelayedFetch fetch = _waiting[i];
            if (fetch.Context.IsAnswered || FetchHandler.IsSatisfied(broker, fetch))
            {
                _waiting.RemoveAt(i);
                fetch.Context.Respond(FetchHandler.Build(broker, fetch));
            }
        }
    }

    public void ExpireDue(long now)
    {
        for (int i = _waiting.Count - 1; i >= 0; i--)
        {
            DelayedFetch fetch = _waiting[i];
            if (fetch.Deadline > now && !fetch.Context.IsAnswered) continue;
            _waiting.RemoveAt(i);
            fetch.Context.Respond(FetchHandler.Build(broker, fetch));
        }
    }

    public void Clear() => _waiting.Clear();
}
