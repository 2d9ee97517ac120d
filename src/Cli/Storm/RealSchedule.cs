namespace KafkaNative.Sim.Storm;

/// <summary>
/// When each real producer offers its records: a Poisson process per producer, as the model's clients start
/// operations, drawn from the scenario's seed so the same seed offers the same records at the same virtual
/// times. Record ids run through the producers in order, so id order is offer order within a producer.
/// </summary>
internal sealed class RealSchedule
{
    private RealSchedule(IReadOnlyList<TimeSpan[]> offers)
    {
        Offers = offers;
        int next = 0;
        FirstId = offers.Select(times => { int first = next; next += times.Length; return first; }).ToArray();
        Records = next;
    }

    /// <summary>Per producer, the times (from the start) of its offers, ascending.</summary>
    public IReadOnlyList<TimeSpan[]> Offers { get; }

    /// <summary>Per producer, the id of its first record.</summary>
    public IReadOnlyList<int> FirstId { get; }

    public int Records { get; }

    /// <param name="producers">Producers sharing the load.</param>
    /// <param name="seconds">How long records are offered.</param>
    /// <param name="recordsPerSecond">Records offered per second by all producers together, on average.</param>
    /// <param name="seed">The scenario's seed.</param>
    public static RealSchedule Plan(int producers, double seconds, double recordsPerSecond, long seed)
    {
        var random = new DeterministicRandom(seed);
        double mean = producers / recordsPerSecond;
        var offers = new TimeSpan[producers][];
        for (int producer = 0; producer < producers; producer++)
        {
            var times = new List<TimeSpan>();
            // Whole microseconds, as the model's clock, so equal seeds give equal timer deadlines.
            for (double at = random.NextExponential(mean); at < seconds; at += random.NextExponential(mean))
                times.Add(TimeSpan.FromMicroseconds(Math.Round(at * 1e6)));
            offers[producer] = times.ToArray();
        }
        return new RealSchedule(offers);
    }
}
