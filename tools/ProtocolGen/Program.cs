namespace KafkaNative.ProtocolGen;

internal static class Program
{
    private static int Main() => 0;
}
