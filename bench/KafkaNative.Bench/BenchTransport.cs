using KafkaNative.Client;

namespace KafkaNative.Bench;

/// <summary>
/// <c>--transport pipelines|stream</c>: which socket transport the client runs over, so the two can be
/// compared in one workload (default: the client's default).
/// </summary>
internal static class BenchTransport
{
    public static IKafkaTransport Parse(BenchArguments arguments) => arguments.Optional("--transport", "default") switch
    {
        "default" => KafkaTransport.Default,
        "pipelines" => KafkaTransport.Pipelines,
        "stream" => KafkaTransport.StreamPump,
        string other => throw new ArgumentException($"--transport must be pipelines or stream, not '{other}'."),
    };
}
