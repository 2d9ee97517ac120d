using KafkaNative.Client;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// What a real run's clients share with the cluster they talk to: its address, its clock, how to reach it (the
/// in-memory transport on virtual time, TCP on the wall clock) and the run's seed, from which each client gets its
/// own seeded random source so retry jitter repeats with the seed.
/// </summary>
internal sealed record RealClientEnvironment(string BootstrapServers, TimeProvider Time, IKafkaTransport Transport, long Seed)
{
    /// <summary>Sets the environment on <paramref name="options"/> for client number <paramref name="client"/> of the run.</summary>
    public T Apply<T>(T options, int client)
        where T : KafkaClientOptions
    {
        options.TimeProvider = Time;
        options.Transport = Transport;
        // Not HashCode.Combine: it is seeded per process, and the run must repeat across processes.
        options.Random = new Random((int)((Seed * 1_000_003 + client) & int.MaxValue));
        return options;
    }
}
