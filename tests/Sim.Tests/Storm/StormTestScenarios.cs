using KafkaNative.Sim.Storm;

namespace KafkaNative.Sim.Tests.Storm;

/// <summary>Built-in scenarios cut to a minute and a few hundred clients so a run takes well under a second.</summary>
internal static class StormTestScenarios
{
    public static Scenario Quick(string name, int clients = 400, double seconds = 60) =>
        (ScenarioCatalog.Find(name) ?? throw new ArgumentException($"no built-in scenario {name}")).WithDuration(seconds) with
        {
            Clients = clients,
        };

    public static StormResult Run(string name, int clients = 400, double seconds = 60) =>
        new StormSimulation(Quick(name, clients, seconds)).Run();
}
