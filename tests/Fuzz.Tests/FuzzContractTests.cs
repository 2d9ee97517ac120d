using KafkaNative.Fuzz.Engine;
using KafkaNative.Protocol;

namespace KafkaNative.Fuzz.Tests;

/// <summary>The harness itself: it must tell a refusal from a crash, and notice hangs and allocation blow-ups.</summary>
public class FuzzContractTests
{
    private static FuzzTarget Target(Func<byte[], bool> run) => new("test", run, () => []);

    [Fact]
    public void ProtocolExceptionIsARefusal()
    {
        Execution execution = FuzzContract.Execute(Target(_ => throw new KafkaProtocolException("bad", "field", 3)), [1]);
        Assert.False(execution.Accepted);
        Assert.Null(execution.Violation);
    }

    [Fact]
    public void AnyOtherExceptionIsAViolation()
    {
        Execution execution = FuzzContract.Execute(Target(input => input[5] == 0), [1]);
        Assert.IsType<IndexOutOfRangeException>(execution.Violation);
    }

    [Fact]
    public void AllocationOverTheBudgetIsAViolation()
    {
        Execution execution = FuzzContract.Execute(Target(input => new byte[FuzzContract.AllocationBudget(input.Length) + 1].Length > 0), [1]);
        Assert.IsType<FuzzContractException>(execution.Violation);
    }

    [Fact]
    public void TheFuzzerReportsAFindingWithItsInput()
    {
        FuzzTarget target = Target(input => input.Length < 40 ? true : throw new InvalidOperationException("too long"));
        FuzzReport report = InProcessFuzzer.Run(target, [new byte[39]], randomSeed: 1, maxExecutions: 100_000, TimeSpan.FromSeconds(10));
        Assert.NotEmpty(report.Findings);
        Finding finding = report.Findings[0];
        Assert.True(finding.Input.Length >= 40);
        Assert.IsType<InvalidOperationException>(finding.Violation);
    }
}
