namespace KafkaNative.Bench;

/// <summary>
/// One client's part of a <c>compare</c> step, as the orchestrator hands it to the child process
/// (<see cref="ToArguments"/>) and the child reads it back (<see cref="Parse"/>). With a
/// <see cref="TransactionalId"/> the produce workload runs in transactions of <see cref="TransactionSize"/>
/// records, every <see cref="AbortEvery"/>-th of them aborted (0: none).
/// </summary>
internal sealed record ClientSettings(
    string Client, string Workload, string Bootstrap, string Topic, int Messages, int Size, string Compression, int Partitions, int Warmup,
    string? TransactionalId = null, int TransactionSize = 0, int AbortEvery = 0)
{
    public static readonly IReadOnlyList<string> Clients = ["kafkanative", "kafkanative-aot", "kafkanative-r2r", "confluent", "kcat"];
    public static readonly IReadOnlyList<string> Workloads = ["produce", "consume"];
    public static readonly IReadOnlyList<string> Codecs = ["none", "gzip", "snappy", "lz4", "zstd"];

    /// <summary>Records per transaction when --transactional-id comes without --transaction-size.</summary>
    public const int DefaultTransactionSize = 1000;

    public string WarmupTopic => Topic + "-warmup";

    public bool Transactional => TransactionalId is not null;

    /// <summary>Transactions the measured loop runs, committed and aborted (0 without transactions).</summary>
    public int Transactions => TransactionsOf(Messages);

    /// <summary>Transactions that <paramref name="records"/> records make, the last one possibly short.</summary>
    public int TransactionsOf(int records) => Transactional ? (records + TransactionSize - 1) / TransactionSize : 0;

    /// <summary>Whether transaction <paramref name="transaction"/> (from 0) aborts: the K-th, 2K-th, … with --abort-every K.</summary>
    public bool Aborts(int transaction) => AbortEvery > 0 && (transaction + 1) % AbortEvery == 0;

    /// <summary>Whether record <paramref name="index"/> of the measured loop belongs to a committed transaction.</summary>
    public bool IsCommitted(int index) => !Transactional || !Aborts(index / TransactionSize);

    /// <summary>The records a read_committed reader must see after the loop: all of them, less those of aborted transactions.</summary>
    public long VisibleRecords =>
        Messages - Enumerable.Range(0, Transactions).Where(Aborts).Sum(t => (long)Math.Min(TransactionSize, Messages - t * TransactionSize));

    public static ClientSettings Parse(BenchArguments arguments, string client)
    {
        string? transactionalId = arguments.Has("--transactional-id") ? arguments.Required("--transactional-id") : null;
        var settings = new ClientSettings(
            client,
            arguments.Required("--workload"),
            arguments.Optional("--bootstrap", ""),
            arguments.Optional("--topic", ""),
            checked((int)arguments.Number("--messages", 1_000_000)),
            checked((int)arguments.Number("--size", 100)),
            arguments.Optional("--compression", "none"),
            checked((int)arguments.Number("--partitions", 6)),
            checked((int)arguments.Number("--warmup", 0)),
            transactionalId,
            checked((int)arguments.Number("--transaction-size", transactionalId is null ? 0 : DefaultTransactionSize)),
            checked((int)arguments.Number("--abort-every", 0)));
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
        if (!Transactional)
        {
            if (TransactionSize > 0 || AbortEvery > 0) throw new ArgumentException("--transaction-size and --abort-every need --transactional-id.");
            return;
        }
        if (TransactionalId!.Length == 0) throw new ArgumentException("--transactional-id cannot be empty.");
        if (Workload != "produce") throw new ArgumentException("Transactions (--transactional-id) apply to the produce workload only.");
        if (Client == "kcat") throw new ArgumentException("kcat has no transactional produce.");
        if (TransactionSize < 1) throw new ArgumentException("--transaction-size must be at least 1.");
    }

    /// <summary>The arguments of the hidden <c>client</c> subcommand that runs this in a child process.</summary>
    public IEnumerable<string> ToArguments() =>
    [
        "client", "--client", Client, "--workload", Workload, "--bootstrap", Bootstrap, "--topic", Topic,
        "--messages", $"{Messages}", "--size", $"{Size}", "--compression", Compression, "--partitions", $"{Partitions}", "--warmup", $"{Warmup}",
        .. (Transactional ? new[] { "--transactional-id", TransactionalId!, "--transaction-size", $"{TransactionSize}", "--abort-every", $"{AbortEvery}" } : []),
    ];
}
