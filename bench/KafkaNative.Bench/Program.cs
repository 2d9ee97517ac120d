using BenchmarkDotNet.Running;

namespace KafkaNative.Bench;

/// <summary>
/// Benchmarks. "micro [BenchmarkDotNet args]" runs the BenchmarkDotNet micro benchmarks, e.g.
/// <c>dotnet run -c Release --project bench/KafkaNative.Bench -- micro --filter '*'</c>.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "micro":
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
                return 0;
            default:
                Console.Error.WriteLine("usage: KafkaNative.Bench micro [--filter PATTERN] [BenchmarkDotNet options]");
                return 2;
        }
    }
}
