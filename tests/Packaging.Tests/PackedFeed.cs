namespace KafkaNative.Packaging.Tests;

/// <summary>
/// Every package of the solution packed once into a folder, under a version of its own so that no
/// package cached by an earlier run is picked up instead; shared by the tests of a class.
/// </summary>
public sealed class PackedFeed : IAsyncLifetime
{
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>The configuration the tests (and so the projects they pack) were built in.</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    private readonly string _root = Directory.CreateTempSubdirectory("kafkanative-packaging-").FullName;

    /// <summary>The folder of .nupkg files (apps live beside it, not in it).</summary>
    public string Folder => Path.Combine(_root, "feed");

    public string Version { get; } = $"0.9.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

    public async Task InitializeAsync()
    {
        // --no-build: the solution's build made these binaries; packing reads them only.
        (await Dotnet.RunAsync(RepoRoot, $"pack KafkaNative.sln -c {Configuration} --no-build -o \"{Folder}\" -p:Version={Version}", TimeSpan.FromMinutes(5)))
            .ShouldSucceed("dotnet pack");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A new folder for an app, with a nuget.config that reads this feed before nuget.org.</summary>
    public string NewAppFolder(string name)
    {
        string folder = Path.Combine(_root, "apps", name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="packed" value="{Folder}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        return folder;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "KafkaNative.sln"))) return dir.FullName;
        throw new InvalidOperationException("KafkaNative.sln not found above " + AppContext.BaseDirectory);
    }
}
