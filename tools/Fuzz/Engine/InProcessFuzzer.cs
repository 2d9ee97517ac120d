using System.Diagnostics;

namespace KafkaNative.Fuzz.Engine;

/// <summary>Totals of one fuzzing run of one target.</summary>
public sealed record FuzzReport(string Target, long Executions, long Accepted, int CorpusSize, TimeSpan Elapsed, IReadOnlyList<Finding> Findings, long MaxAllocatedBytes, TimeSpan SlowestExecution)
{
    public override string ToString() =>
        $"{Target}: {Executions:N0} executions in {Elapsed.TotalSeconds:F1} s ({Executions / Math.Max(Elapsed.TotalSeconds, 0.001):N0}/s), " +
        $"{Accepted:N0} accepted, corpus {CorpusSize}, slowest {SlowestExecution.TotalMilliseconds:F1} ms, most allocated {MaxAllocatedBytes:N0} B, {Findings.Count} findings";
}

/// <summary>An input that broke the contract, and how.</summary>
public sealed record Finding(byte[] Input, Exception Violation);

/// <summary>
/// A mutation fuzzer in the test process: replays the corpus, then mutates corpus entries until an
/// execution count or a deadline is reached. Not coverage-guided (AFL++ does that in run.sh); it keeps
/// mutants that were accepted as valid messages, which walks deeper into the decoders.
/// </summary>
public static class InProcessFuzzer
{
    private const int MaxKeptMutants = 256;

    public static FuzzReport Run(FuzzTarget target, IReadOnlyList<byte[]> seeds, int randomSeed, long maxExecutions, TimeSpan maxDuration, Action<Finding>? onFinding = null)
    {
        var corpus = new List<byte[]>(seeds);
        var findings = new List<Finding>();
        var random = new Random(randomSeed);
        var mutator = new Mutator(random);
        var clock = Stopwatch.StartNew();
        long executions = 0, accepted = 0, maxAllocated = 0;
        TimeSpan slowest = TimeSpan.Zero;
        int kept = 0;

        void Execute(byte[] input, bool keepIfAccepted)
        {
            Execution execution = FuzzContract.Execute(target, input);
            executions++;
            maxAllocated = Math.Max(maxAllocated, execution.AllocatedBytes);
            if (execution.Elapsed > slowest) slowest = execution.Elapsed;
            if (execution.Violation is not null)
            {
                var finding = new Finding(input, execution.Violation);
                findings.Add(finding);
                onFinding?.Invoke(finding);
                return;
            }
            if (!execution.Accepted) return;
            accepted++;
            if (keepIfAccepted && kept < MaxKeptMutants)
            {
                corpus.Add(input);
                kept++;
            }
        }

        foreach (byte[] seed in seeds) Execute(seed, keepIfAccepted: false);
        if (corpus.Count == 0) corpus.Add([]);
        while (executions < maxExecutions && clock.Elapsed < maxDuration && findings.Count < 10)
            Execute(mutator.Mutate(corpus[random.Next(corpus.Count)], corpus), keepIfAccepted: true);
        return new FuzzReport(target.Name, executions, accepted, corpus.Count, clock.Elapsed, findings, maxAllocated, slowest);
    }
}
