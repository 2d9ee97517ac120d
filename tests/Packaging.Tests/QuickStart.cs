using System.Text.RegularExpressions;

namespace KafkaNative.Packaging.Tests;

/// <summary>The README's quick start: the C# block under its <c>quickstart:</c> marker, the same text the package readme shows.</summary>
internal static partial class QuickStart
{
    public static string ReadmePath => Path.Combine(PackedFeed.RepoRoot, "README.md");

    public static string PackageReadmePath => Path.Combine(PackedFeed.RepoRoot, "src", "PACKAGE.md");

    /// <summary>The code of the block that follows <c>&lt;!-- quickstart: FILE ... --&gt;</c>.</summary>
    public static string Block(string markdown, string file)
    {
        Match match = BlockPattern().Matches(markdown).FirstOrDefault(m => m.Groups["file"].Value == file)
            ?? throw new InvalidOperationException($"No quickstart block for {file}.");
        return match.Groups["code"].Value;
    }

    /// <summary>The first C# block of a markdown file (a package readme's sample).</summary>
    public static string FirstBlock(string markdown) =>
        FirstBlockPattern().Match(markdown) is { Success: true } match ? match.Groups["code"].Value : throw new InvalidOperationException("No C# block.");

    /// <summary>A console app that references the KafkaNative packages of <paramref name="feed"/> and runs <paramref name="program"/>.</summary>
    /// <remarks>A package named with a version ("OpenTelemetry.Exporter.Console@1.21.0") comes from nuget.org; the others from the feed.</remarks>
    public static string WriteApp(PackedFeed feed, string name, string program, string extraProperties = "", params string[] packages)
    {
        string folder = feed.NewAppFolder(name);
        string references = string.Join("\n", packages.Prepend("KafkaNative").Select(p => p.Split('@') is [var id, var version]
            ? $"""    <PackageReference Include="{id}" Version="{version}" />"""
            : $"""    <PackageReference Include="{p}" Version="{feed.Version}" />"""));
        File.WriteAllText(Path.Combine(folder, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                {extraProperties}
              </PropertyGroup>
              <ItemGroup>
            {references}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), program);
        return folder;
    }

    [GeneratedRegex(@"<!-- quickstart: (?<file>\S+)[^>]*-->\s*```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex BlockPattern();

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FirstBlockPattern();
}
