using BenchmarkDotNet.Running;

namespace KafkaNative.Bench;

/// <summary>
/// Benchmarks. "micro [BenchmarkDotNet args]" runs the BenchmarkDotNet micro benchmarks, e.g.
/// <c>dotnet run -c Release --project bench/KafkaNative.Bench -- micro --filter '*'</c>;
/// "produce" and "consume" measure the producer and consumer against a running cluster, beside kcat with --kcat;
/// "chaos" measures our producer and kcat under each fault of the fault matrix on an embedded simulated cluster;
/// "compare" runs ours, kcat and Confluent.Kafka each as a whole process against a fresh in-process cluster, rounds rotated.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        try
        {
            switch (args.FirstOrDefault())
            {
                case "micro":
                    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
                    return 0;
                case "produce":
                    return await ProduceBenchmark.RunAsync(args[1..]);
                case "consume":
                    return await ConsumeBenchmark.RunAsync(args[1..]);
                case "chaos":
                    return await ChaosBenchmark.RunAsync(args[1..]);
                case "compare":
                    return await CompareBenchmark.RunAsync(args[1..]);
                case "client":
                    // Hidden: one client's run in a child process of "compare".
                    return await ClientCommand.RunAsync(args[1..]);
            }
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
        }
        Console.Error.WriteLine("""
            usage: KafkaNative.Bench micro [--filter PATTERN] [BenchmarkDotNet options]
                   KafkaNative.Bench produce [--bootstrap HOST:PORT] --topic T --messages N --size S [--acks all|1|0]
                                             [--compression none|gzip|snappy|lz4|zstd] [--rate MSGS_PER_SEC] [--kcat]
                                             [--transport pipelines|stream|memory]
                   KafkaNative.Bench consume --bootstrap HOST:PORT --topic T --messages N [--group G] [--kcat]
                                             [--transport pipelines|stream]
                   KafkaNative.Bench chaos --fault F[,F...]|all --iterations N [--records R]
                                           (faults: stop-start, kill-restart, leader-move, drop-connections, stall-under-timeout,
                                            latency-over-timeout, not-leader, not-enough-replicas, request-timed-out)
                   KafkaNative.Bench compare --workload produce|consume [--messages N] [--size S] [--compression none|lz4|zstd|snappy|gzip]
                                             [--rounds R] [--peers kcat,confluent] [--clients kafkanative,kcat,confluent]
                                             [--partitions P] [--warmup W] [--json FILE]
                                             [--transactional-id ID [--transaction-size N (1000)] [--abort-every K (0: never)]]
                                             (produce in transactions of N records, every K-th aborted; kcat is left out)
                                             (each client a child process on a fresh 3-broker cluster in this process)
            """);
        return 2;
    }
}
