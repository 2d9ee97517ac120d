namespace KafkaNative.Bench;

/// <summary>
/// One client's part of a <c>compare</c> step, as the orchestrator hands it to the child process
/// (<see cref="ToArguments"/>) and the child reads it back (<see cref="Parse"/>).
/// </summary>
internal sealed record ClientSettings(
    string Client, string Workload, string Bootstrap, string Topic, int Messages, int Size, string Compression, int Partitions, int Warmup)
{
    public static readonly IReadOnlyList<string> Clients = ["kafkanative", "kafkanative-aot", "kafkanative-r2r", "confluent", "kcat"];
    public static readonly IReadOnlyList<string> Workloads = ["produce", "consume"];
    public static readonly IReadOnlyList<string> Codecs = ["none", "gzip", "snappy", "lz4", "zstd"];

    public string WarmupTopic => Topic + "-warmup";

    public static ClientSettings Parse(BenchArguments arguments, string client)
    {
        var settings = new ClientSettings(
            client,
            arguments.Required("--workload"),
            arguments.Optional("--bootstrap", ""),
            arguments.Optional("--topic", ""),
            checked((int)arguments.Number("--messages", 1_000_000)),
            checked((int)arguments.Number("--size", 100)),
            arguments.Optional("--compression", "none"),
            checked((int)arguments.Number("--partitions", 6)),
            checked((int)arguments.Number("--warmup", 0)));
        settings.Validate();
        return settings;
    }

    public void Validate()
    {
        if (!Clients.Contains(Client)) throw new ArgumentException($"Unknown client '{Client}': {string.Join(", ", Clients)}.");
        if (!Workloads.Contains(Workload)) throw new ArgumentException($"--workload must be produce or consume, not '{Workload}'.");
        if (!Codecs.Contains(Compression)) throw new ArgumentException($"--compression must be one of {string.Join(", ", Codecs)}, not '{Compression}'.");
        if (Messages < 1) throw new ArgumentException("--messages must be at least 1.");
        if (Size < BenchValues.PrefixLength) throw new ArgumentException($"--size must be at least {BenchValues.PrefixLength} (the index prefix).");
        if (Partitions < 1) throw new ArgumentException("--partitions must be at least 1.");
    }

    /// <summary>The arguments of the hidden <c>client</c> subcommand that runs this in a child process.</summary>
    public IEnumerable<string> ToArguments() =>
    [
        "client", "--client", Client, "--workload", Workload, "--bootstrap", Bootstrap, "--topic", Topic,
        "--messages", $"{Messages}", "--size", $"{Size}", "--compression", Compression, "--partitions", $"{Partitions}", "--warmup", $"{Warmup}",
    ];
}
