namespace KafkaNative.Sim.Tests.Storm;

/// <summary>
/// Tests that drive virtual time: the driver fires a timer only when the whole process's thread pool is idle,
/// so these run alone, after the parallel tests, instead of waiting on other tests' work.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class VirtualTimeCollection
{
    public const string Name = "virtual time";
}
