using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace KafkaNative.Bench.Micro;

/// <summary>
/// In-process runs (BenchmarkDotNet 0.14, the newest here, predates .NET 10's runtime moniker) with
/// the memory diagnoser on and a throughput column for benchmarks that declare their byte count.
/// </summary>
internal sealed class MicroConfig : ManualConfig
{
    public MicroConfig()
    {
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(10));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new ThroughputColumn());
        AddColumnProvider(DefaultColumnProviders.Instance);
        AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default);
        AddExporter(BenchmarkDotNet.Exporters.MarkdownExporter.GitHub);
    }
}

/// <summary>Implemented by benchmark classes that know how many bytes one operation processes.</summary>
internal interface IBytesPerOperation
{
    long BytesPerOperation { get; }
}
