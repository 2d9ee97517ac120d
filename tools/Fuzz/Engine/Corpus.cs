namespace KafkaNative.Fuzz.Engine;

/// <summary>
/// Inputs for a target: the seeds built in code, then the files of tools/Fuzz/corpus/TARGET (real
/// captures, written by the capture command) and tools/Fuzz/regressions/TARGET (inputs that once broke
/// the contract; each stays as a regression test).
/// </summary>
public static class Corpus
{
    public static string Root { get; } = FindRoot();

    public static string CorpusDirectory(string target) => Path.Combine(Root, "tools", "Fuzz", "corpus", target);

    public static string RegressionDirectory(string target) => Path.Combine(Root, "tools", "Fuzz", "regressions", target);

    public static IReadOnlyList<byte[]> Load(FuzzTarget target) =>
        [.. target.Seeds(), .. Files(CorpusDirectory(target.Name)), .. Files(RegressionDirectory(target.Name))];

    public static IEnumerable<byte[]> Files(string directory) =>
        Directory.Exists(directory) ? Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal).Select(File.ReadAllBytes) : [];

    private static string FindRoot()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "KafkaNative.sln"))) return dir.FullName;
        throw new InvalidOperationException("KafkaNative.sln not found above " + AppContext.BaseDirectory);
    }
}
