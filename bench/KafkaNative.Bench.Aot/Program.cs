using System.Text.Json;
using System.Text.Json.Serialization;

namespace KafkaNative.Bench;

/// <summary>
/// <c>client --client kafkanative-aot --workload produce|consume …</c>, the arguments <c>compare</c> gives
/// every client child: runs our client and prints the one JSON line of <see cref="InLoopFigures"/>.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        try
        {
            if (args.FirstOrDefault() != "client") throw new ArgumentException("usage: KafkaNative.Bench.Aot client --client kafkanative-aot --workload produce|consume …");
            var arguments = new BenchArguments(args[1..], new HashSet<string>());
            ClientSettings settings = ClientSettings.Parse(arguments, arguments.Required("--client"));
            InLoopFigures figures = await KafkaNativeClient.RunAsync(settings);
            Console.WriteLine(JsonSerializer.Serialize(figures, AotJson.Default.InLoopFigures));
            if (figures.Failed == 0 && figures.Messages == settings.Messages) return 0;
            Console.Error.WriteLine($"{settings.Client} {settings.Workload}: {figures.Messages} of {settings.Messages} records, {figures.Failed} failed or malformed.");
            return 1;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }
}

/// <summary>The figures' JSON, generated at compile time (no reflection under NativeAOT), in the web casing the orchestrator reads.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(InLoopFigures))]
internal sealed partial class AotJson : JsonSerializerContext;
