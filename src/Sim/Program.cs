namespace KafkaNative.Sim;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: KafkaNative.Sim demo");
        return args.Length == 0 ? 2 : 0;
    }
}
