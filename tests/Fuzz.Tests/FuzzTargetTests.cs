using KafkaNative.Fuzz.Engine;
using Xunit.Abstractions;

namespace KafkaNative.Fuzz.Tests;

/// <summary>
/// CI's brief fuzzing: every target replays its corpus (seeds, kcat captures, past findings) and then
/// a fixed number of mutants from a fixed random seed, in process, through the same target functions
/// that AFL++ drives in tools/Fuzz/run.sh. Any breach of the contract fails with the input in hex.
/// </summary>
public class FuzzTargetTests(ITestOutputHelper output)
{
    private const long MutantsPerTarget = 20_000;
    private static readonly TimeSpan TimeBoxPerTarget = TimeSpan.FromSeconds(3);

    public static IEnumerable<object[]> TargetNames() => FuzzTargets.All.Select(t => new object[] { t.Name });

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void CorpusAndMutantsKeepTheContract(string name)
    {
        FuzzTarget target = FuzzTargets.Find(name);
        IReadOnlyList<byte[]> corpus = Corpus.Load(target);

        FuzzReport report = InProcessFuzzer.Run(target, corpus, randomSeed: 20261202, MutantsPerTarget + corpus.Count, TimeBoxPerTarget);
        output.WriteLine(report.ToString());

        Assert.True(report.Findings.Count == 0, string.Join("\n\n", report.Findings.Select(f => $"input {Convert.ToHexString(f.Input)}\n{f.Violation}")));
        Assert.True(report.Accepted > 0, $"{name}: no input decoded to a valid message, so the seeds are broken");
    }

    [Fact]
    public void EveryTargetHasSeedsThatDecode()
    {
        foreach (FuzzTarget target in FuzzTargets.All.Where(t => !t.Name.StartsWith("codec-", StringComparison.Ordinal)))
        {
            byte[][] seeds = target.Seeds().ToArray();
            Assert.NotEmpty(seeds);
            Assert.Contains(seeds, seed => FuzzContract.Execute(target, seed) is { Accepted: true, Violation: null });
        }
    }

    [Fact]
    public void KcatCapturesAreInTheCorpus()
    {
        foreach (string name in new[] { "sim-request", "records", "records-legacy", "codec-gzip", "codec-snappy", "codec-lz4", "codec-zstd", "response-api-versions", "response-metadata", "response-produce" })
            Assert.NotEmpty(Corpus.Files(Corpus.CorpusDirectory(name)));
    }
}
