namespace KafkaNative.Sim.Storm;

/// <summary>
/// Runtime state of one broker: alive or not, busy handlers, the queue of waiting request slots and
/// injected latency. The incarnation changes on death, so work begun by an earlier life is recognised and
/// discarded.
/// </summary>
internal sealed class BrokerState(TopologyBroker spec, int zoneIndex)
{
    private int[] queue = new int[256];
    private int queueHead;

    public TopologyBroker Spec { get; } = spec;

    public int ZoneIndex { get; } = zoneIndex;

    public bool Alive { get; set; } = true;

    public int Incarnation { get; set; }

    public int Busy { get; set; }

    /// <summary>Added to every service time (slow disk): holds a handler.</summary>
    public long ServiceSlowdownMicros { get; set; }

    /// <summary>Added to every response (latency monkey): does not hold a handler.</summary>
    public long ResponseDelayMicros { get; set; }

    public int QueueLength { get; private set; }

    public long Received { get; set; }

    public long Served { get; set; }

    public long Rejected { get; set; }

    public long Shed { get; set; }

    public long ReceivedWhileDead { get; set; }

    public void Enqueue(int request)
    {
        if (QueueLength == queue.Length)
        {
            var larger = new int[queue.Length * 2];
            for (int index = 0; index < QueueLength; index++)
                larger[index] = queue[(queueHead + index) % queue.Length];
            queue = larger;
            queueHead = 0;
        }
        queue[(queueHead + QueueLength) % queue.Length] = request;
        QueueLength++;
    }

    public int Dequeue()
    {
        int request = queue[queueHead];
        queueHead = (queueHead + 1) % queue.Length;
        QueueLength--;
        return request;
    }
}
