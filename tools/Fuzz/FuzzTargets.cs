using KafkaNative.Fuzz.Engine;
using KafkaNative.Fuzz.Targets;

namespace KafkaNative.Fuzz;

/// <summary>Every fuzz target, by name.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        .. ResponseTargets.All(),
        .. RecordTargets.All(),
        .. CodecTargets.All(),
        .. SaslTargets.All(),
        SimRequestTarget.Create(),
        ConsumerProtocolTarget.Create(),
    ];

    public static FuzzTarget Find(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"No fuzz target '{name}'. Targets: {string.Join(", ", All.Select(t => t.Name))}", nameof(name));
}
