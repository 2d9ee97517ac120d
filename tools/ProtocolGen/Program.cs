namespace KafkaNative.ProtocolGen;

/// <summary>Usage: ProtocolGen SCHEMA_DIR OUTPUT_DIR.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: dotnet run --project tools/ProtocolGen -- ../shared/kafka-protocol/message src/Protocol/Messages/Generated");
            return 2;
        }
        int count = Generator.WriteTo(args[0], args[1]);
        Console.WriteLine($"wrote {count} files to {args[1]}");
        return 0;
    }
}
