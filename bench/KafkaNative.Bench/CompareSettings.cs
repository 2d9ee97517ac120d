using KafkaNative.TestSupport;

namespace KafkaNative.Bench;

/// <summary>
/// The arguments of <c>compare</c>: the workload every client runs, and which clients, how often. With
/// <c>--transactional-id</c> the produce workload runs in transactions (<see cref="ClientSettings.Transactional"/>),
/// and kcat, which cannot produce in transactions, is left out (<see cref="LeftOut"/>).
/// </summary>
internal sealed record CompareSettings(
    string Workload, int Messages, int Size, string Compression, int Rounds, int Partitions, int Warmup, IReadOnlyList<string> Clients, string? JsonFile,
    string? TransactionalId = null, int TransactionSize = 0, int AbortEvery = 0, string? LeftOut = null)
{
    public const string Ours = "kafkanative";

    public bool Transactional => TransactionalId is not null;

    public static CompareSettings Parse(string[] args)
    {
        var arguments = new BenchArguments(args, new HashSet<string>());
        // --clients names every client; otherwise ours and --peers.
        string clientList = arguments.Has("--clients")
            ? arguments.Required("--clients")
            : Ours + "," + arguments.Optional("--peers", "kcat,confluent");
        string[] clients = clientList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
        // The transaction options as the child parses them, so both sides agree on their defaults.
        ClientSettings transactions = ClientSettings.Parse(arguments, Ours);
        string? leftOut = null;
        if (transactions.Transactional && clients.Contains("kcat"))
        {
            clients = clients.Where(c => c != "kcat").ToArray();
            leftOut = "kcat is left out: it has no transactional produce.";
        }
        var settings = new CompareSettings(
            transactions.Workload, transactions.Messages, transactions.Size, transactions.Compression,
            checked((int)arguments.Number("--rounds", 3)),
            transactions.Partitions, transactions.Warmup, clients,
            arguments.Has("--json") ? arguments.Required("--json") : null,
            transactions.TransactionalId, transactions.TransactionSize, transactions.AbortEvery, leftOut);
        if (settings.Rounds < 1) throw new ArgumentException("--rounds must be at least 1.");
        if (clients.Length == 0) throw new ArgumentException("No clients to run.");
        if (settings.Warmup > 0 && settings.Workload != "produce") throw new ArgumentException("--warmup applies to produce only.");
        // The same checks the child makes, before any cluster starts.
        foreach (string client in clients) settings.For(client, "", "", settings.Warmup).Validate();
        if (clients.Contains("kcat") && !Kcat.IsInstalled) throw new ArgumentException($"kcat is not installed at {Kcat.Path}; leave it out of --peers.");
        return settings;
    }

    /// <summary>What <paramref name="client"/> runs in one step, against <paramref name="bootstrap"/>.</summary>
    public ClientSettings For(string client, string bootstrap, string topic, int warmup) =>
        new(client, Workload, bootstrap, topic, Messages, Size, Compression, Partitions, warmup, TransactionalId, TransactionSize, AbortEvery);

    /// <summary>Round r runs the clients rotated by r (A B C, B C A, C A B, …), so none always goes first.</summary>
    public IReadOnlyList<string> OrderOfRound(int round) =>
        Enumerable.Range(0, Clients.Count).Select(i => Clients[(i + round) % Clients.Count]).ToArray();
}
