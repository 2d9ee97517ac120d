using KafkaNative.TestSupport;

namespace KafkaNative.Bench;

/// <summary>The arguments of <c>compare</c>: the workload every client runs, and which clients, how often.</summary>
internal sealed record CompareSettings(
    string Workload, int Messages, int Size, string Compression, int Rounds, int Partitions, int Warmup, IReadOnlyList<string> Clients, string? JsonFile)
{
    public const string Ours = "kafkanative";

    public static CompareSettings Parse(string[] args)
    {
        var arguments = new BenchArguments(args, new HashSet<string>());
        // --clients names every client; otherwise ours and --peers.
        string clientList = arguments.Has("--clients")
            ? arguments.Required("--clients")
            : Ours + "," + arguments.Optional("--peers", "kcat,confluent");
        string[] clients = clientList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
        var settings = new CompareSettings(
            arguments.Required("--workload"),
            checked((int)arguments.Number("--messages", 1_000_000)),
            checked((int)arguments.Number("--size", 100)),
            arguments.Optional("--compression", "none"),
            checked((int)arguments.Number("--rounds", 3)),
            checked((int)arguments.Number("--partitions", 6)),
            checked((int)arguments.Number("--warmup", 0)),
            clients,
            arguments.Has("--json") ? arguments.Required("--json") : null);
        if (settings.Rounds < 1) throw new ArgumentException("--rounds must be at least 1.");
        if (clients.Length == 0) throw new ArgumentException("No clients to run.");
        if (settings.Warmup > 0 && settings.Workload != "produce") throw new ArgumentException("--warmup applies to produce only.");
        // The same checks the child makes, before any cluster starts.
        foreach (string client in clients)
            new ClientSettings(client, settings.Workload, "", "", settings.Messages, settings.Size, settings.Compression, settings.Partitions, settings.Warmup).Validate();
        if (clients.Contains("kcat") && !Kcat.IsInstalled) throw new ArgumentException($"kcat is not installed at {Kcat.Path}; leave it out of --peers.");
        return settings;
    }

    /// <summary>Round r runs the clients rotated by r (A B C, B C A, C A B, …), so none always goes first.</summary>
    public IReadOnlyList<string> OrderOfRound(int round) =>
        Enumerable.Range(0, Clients.Count).Select(i => Clients[(i + round) % Clients.Count]).ToArray();
}
