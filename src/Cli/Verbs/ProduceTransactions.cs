namespace KafkaNative.Cli.Verbs;

/// <summary>
/// <c>produce --transactional-id ID</c>: the records read are grouped into transactions of <c>--transaction-size</c>
/// (0: the whole input in one), every <c>--abort-every</c>-th aborted on purpose (0: none). A transaction begins at
/// its first record, so none is empty. A failed transaction is aborted and ends the run with exit 1, as does
/// a fatal error (another producer with the same id fenced this one); an interrupted run aborts its open transaction.
/// </summary>
internal sealed class ProduceTransactions(KafkaProducer<byte[], byte[]> producer, int size, int abortEvery)
{
    private int _open;
    private bool _initialized;
    // A transaction is open (its record count, _open, may still be 0 while its first record is being handed over).
    private bool _began;

    public int Committed { get; private set; }

    public int Aborted { get; private set; }

    public long CommittedRecords { get; private set; }

    public long AbortedRecords { get; private set; }

    public string Summary =>
        $"{Plural(Committed + Aborted, "transaction")} ({Committed:N0} committed with {Plural(CommittedRecords, "record")}, {Aborted:N0} aborted with {Plural(AbortedRecords, "record")})";

    public async Task InitAsync(CancellationToken ct)
    {
        await producer.InitTransactionsAsync(ct);
        _initialized = true;
    }

    /// <summary>Before each record: opens a transaction when none is.</summary>
    public void BeforeRecord()
    {
        if (_began) return;
        producer.BeginTransaction();
        _began = true;
    }

    /// <summary>After each record: ends the transaction once it holds its size.</summary>
    public Task AfterRecordAsync()
    {
        _open++;
        return _open == size ? EndAsync(abort: abortEvery > 0 && (Committed + Aborted + 1) % abortEvery == 0) : Task.CompletedTask;
    }

    /// <summary>At the end of the input: commits the last transaction (short, or the only one), or aborts it when interrupted.</summary>
    public Task FinishAsync(bool interrupted) =>
        !_began ? Task.CompletedTask : EndAsync(abort: interrupted || (abortEvery > 0 && (Committed + Aborted + 1) % abortEvery == 0));

    /// <summary>
    /// What a transaction error ends the run with: an abortable one aborts the open transaction first (its records
    /// never become visible); a fatal one leaves nothing to do but stop.
    /// </summary>
    public async Task<CliFailure> FailAsync(KafkaTransactionException error)
    {
        if (!_initialized) return new CliFailure($"initializing transactions failed: {error.Message}");
        int failed = Committed + Aborted + 1;
        if (!error.IsFatal && _began)
        {
            try
            {
                await producer.AbortTransactionAsync(CancellationToken.None);
            }
            catch (KafkaException abortError)
            {
                return new CliFailure($"transaction {failed:N0} failed after {Summary}: {error.Message}; aborting it failed too: {abortError.Message}");
            }
            Aborted++;
            AbortedRecords += _open;
            (_open, _began) = (0, false);
        }
        string what = error.IsFatal ? "failed fatally" : "failed and was aborted";
        return new CliFailure($"transaction {failed:N0} {what} after {Summary}: {error.Message}");
    }

    // Not cancellable: a commit or abort half done would leave the transaction open until the coordinator's timeout.
    private async Task EndAsync(bool abort)
    {
        if (abort) await producer.AbortTransactionAsync(CancellationToken.None);
        else await producer.CommitTransactionAsync(CancellationToken.None);
        if (abort) (Aborted, AbortedRecords) = (Aborted + 1, AbortedRecords + _open);
        else (Committed, CommittedRecords) = (Committed + 1, CommittedRecords + _open);
        (_open, _began) = (0, false);
    }

    private static string Plural(long count, string noun) => $"{count:N0} {noun}{(count == 1 ? "" : "s")}";
}
