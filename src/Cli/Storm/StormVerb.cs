using System.CommandLine;
using System.CommandLine.Parsing;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// <c>storm</c> as a subcommand: its options are declared here so <c>storm --help</c> lists them and unknown ones are
/// usage errors; their values go on, as written, to <see cref="StormCommand"/>, which checks them and runs the scenarios
/// (and passes them again to the child process a real run on virtual time starts).
/// </summary>
internal static class StormVerb
{
    public static Command Create()
    {
        Option[] valued =
        [
            new Option<string>("--scenario") { Description = "NAME|FILE|all|NAME,NAME... (built-in: " + string.Join(", ", ScenarioCatalog.All.Select(s => s.Name)) + ")" },
            new Option<string>("--clients") { Description = $"Clients per scenario (1..{Scenario.MaxClients:N0}; with --real, producers per configuration, 1..{StormOptions.MaxRealClients})" },
            new Option<string>("--seed") { Description = "Seed of every random choice" },
            new Option<string>("--duration") { Description = "Virtual seconds to simulate (model only)" },
            new Option<string>("--out") { Description = "Output folder (default storm-out)" },
            new Option<string>("--seconds") { Description = "With --real: seconds to run, 2..3600" },
            new Option<string>("--rate") { Description = "With --real: records per second per client configuration" },
        ];
        Option<bool>[] flags =
        [
            new("--real") { Description = "Play the scenarios' chaos against the wire-level cluster with our real producer and consumer" },
            new("--wall-clock") { Description = "With --real: run on the wall clock instead of virtual time" },
        ];
        var command = new Command("storm", "Timeout-storm scenarios on a virtual clock: retry storms, failover, circuit breakers, chaos monkeys (see src/Sim/Storm/README.md)");
        foreach (Option option in valued) command.Options.Add(option);
        foreach (Option<bool> flag in flags) command.Options.Add(flag);
        command.SetAction((result, ct) =>
        {
            var args = new List<string>();
            foreach (Option option in valued)
            {
                if (result.GetResult(option) is OptionResult { Implicit: false } given) args.AddRange([option.Name, .. given.Tokens.Select(t => t.Value)]);
            }
            foreach (Option<bool> flag in flags)
            {
                if (result.GetValue(flag)) args.Add(flag.Name);
            }
            return StormCommand.RunAsync([.. args], Console.Out, ct);
        });
        return command;
    }
}
