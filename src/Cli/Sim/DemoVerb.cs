using System.CommandLine;

namespace KafkaNative.Sim;

/// <summary><c>demo</c>: the README's main job (see <see cref="Demo"/>).</summary>
internal static class DemoVerb
{
    public static Command Create()
    {
        var messages = new Option<int>("--messages") { Description = "Records to produce and consume", DefaultValueFactory = _ => 200_000 };
        messages.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--messages must be 1 or more"); });
        var command = new Command("demo", "Produce and consume through an embedded 3-broker simulated cluster while a broker fails") { messages };
        command.SetAction((result, ct) => Demo.RunAsync(result.GetValue(messages), Console.Out, ct));
        return command;
    }
}
