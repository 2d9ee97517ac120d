namespace KafkaNative.Sim.Storm;

/// <summary>What a scheduled event does when the clock reaches it.</summary>
internal enum EventKind : byte
{
    ClientArrival,
    RequestArrival,
    ServiceComplete,
    ResponseArrival,
    AttemptTimeout,
    EdgeTimeout,
    RetryAttempt,
    EdgeRetry,
    Fault,
    LeaderElection,
    Sample,
}

/// <summary>
/// A timestamped event. A plain struct with integer operands (slot, generation, detail) so the queue never
/// allocates per event; the generation lets a handler recognise an event aimed at a slot since reused.
/// </summary>
internal struct SimEvent
{
    public long Time;
    public long Sequence;
    public int Target;
    public int Generation;
    public int Detail;
    public EventKind Kind;
}
