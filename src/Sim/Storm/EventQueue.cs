namespace KafkaNative.Sim.Storm;

/// <summary>
/// Binary min-heap of <see cref="SimEvent"/> ordered by time, then by scheduling order, so simultaneous
/// events run first-scheduled-first and a run is deterministic.
/// </summary>
internal sealed class EventQueue
{
    private SimEvent[] heap = new SimEvent[4096];
    private long nextSequence;

    public int Count { get; private set; }

    public void Schedule(long time, EventKind kind, int target = 0, int generation = 0, int detail = 0)
    {
        if (Count == heap.Length)
            Array.Resize(ref heap, heap.Length * 2);
        var item = new SimEvent
        {
            Time = time, Sequence = nextSequence++, Kind = kind, Target = target, Generation = generation, Detail = detail,
        };
        int index = Count++;
        while (index > 0)
        {
            int parent = (index - 1) >> 1;
            if (!Earlier(in item, in heap[parent]))
                break;
            heap[index] = heap[parent];
            index = parent;
        }
        heap[index] = item;
    }

    public bool TryDequeue(out SimEvent next)
    {
        if (Count == 0)
        {
            next = default;
            return false;
        }
        next = heap[0];
        var last = heap[--Count];
        int index = 0;
        while (true)
        {
            int child = (index << 1) + 1;
            if (child >= Count)
                break;
            if (child + 1 < Count && Earlier(in heap[child + 1], in heap[child]))
                child++;
            if (!Earlier(in heap[child], in last))
                break;
            heap[index] = heap[child];
            index = child;
        }
        heap[index] = last;
        return true;
    }

    private static bool Earlier(in SimEvent a, in SimEvent b) =>
        a.Time < b.Time || (a.Time == b.Time && a.Sequence < b.Sequence);
}
