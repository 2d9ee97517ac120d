namespace KafkaNative.Protocol.Tests;

/// <summary>Finds the repository and the shared Kafka schemas beside it.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>../shared/kafka-protocol/message, which exists in CI and development checkouts.</summary>
    public static string SchemaDirectory => Path.GetFullPath(Path.Combine(Root, "..", "shared", "kafka-protocol", "message"));

    public static string GeneratedDirectory => Path.Combine(Root, "src", "Protocol", "Messages", "Generated");

    public static bool HasSchemas => Directory.Exists(SchemaDirectory);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "KafkaNative.sln"))) return dir.FullName;
        throw new InvalidOperationException("KafkaNative.sln not found above " + AppContext.BaseDirectory);
    }
}
