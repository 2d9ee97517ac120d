using System.Text.Json;

namespace KafkaNative.Bench;

/// <summary>
/// The hidden <c>client --client kafkanative|confluent --workload produce|consume --bootstrap B --topic T
/// --messages N --size S --compression C --partitions P [--warmup W]</c> subcommand: one client's run in a
/// child process of <c>compare</c>. Prints one JSON line of <see cref="InLoopFigures"/>; exits non-zero when
/// a record failed or a count is wrong, so the orchestrator never reports a broken run as a fast one.
/// </summary>
internal static class ClientCommand
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args, new HashSet<string>());
        ClientSettings settings = ClientSettings.Parse(arguments, arguments.Required("--client"));
        InLoopFigures figures = settings.Client switch
        {
            "kafkanative" => await KafkaNativeClient.RunAsync(settings),
            "confluent" => ConfluentClient.Run(settings),
            _ => throw new ArgumentException($"The client subcommand runs kafkanative or confluent, not '{settings.Client}'."),
        };
        Console.WriteLine(JsonSerializer.Serialize(figures, Json));
        if (figures.Failed == 0 && figures.Messages == settings.Messages) return 0;
        Console.Error.WriteLine($"{settings.Client} {settings.Workload}: {figures.Messages} of {settings.Messages} records, {figures.Failed} failed or malformed.");
        return 1;
    }
}
