using KafkaNative.Client;

namespace KafkaNative.Sim.Storm;

/// <summary>What a real run's clients share with the cluster they talk to: its address and its clock.</summary>
internal sealed record RealClientEnvironment(string BootstrapServers, TimeProvider Time)
{
    /// <summary>Sets the environment's clock on <paramref name="options"/>.</summary>
    public T Apply<T>(T options)
        where T : KafkaClientOptions
    {
        return options;
    }
}
