using KafkaNative.Producer.Pipeline;
using KafkaNative.Protocol;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Producer.Transactions;

/// <summary>
/// A transactional producer's state, after the Java client's transaction manager: the identity from
/// InitProducerId (which fences older instances of the same transactional id), the transaction's
/// phase, the partitions and groups added to it, and the error that dooms it. Abortable errors (a
/// record failed, the group refused the offsets) leave the transaction to be aborted, after which the
/// producer begins again under a bumped epoch (KIP-360); fatal errors (fenced, not authorized) end all
/// transactional work. One operation (init, offsets, commit, abort) runs at a time.
/// </summary>
internal sealed class TransactionManager : IDisposable
{
    private readonly ProducerContext _context;
    private readonly TransactionCoordinatorClient _coordinator;
    private readonly SemaphoreSlim _turn = new(1, 1);
    // Serialises AddPartitionsToTxn between broker flushers; separate from _turn, which a commit holds while it flushes.
    private readonly SemaphoreSlim _adding = new(1, 1);
    private readonly Lock _lock = new();
    private readonly HashSet<string> _groups = [];
    private volatile ProducerIdentity? _identity;
    private int _phase = (int)TransactionPhase.Uninitialized;
    private KafkaTransactionException? _error;
    private int _serial;
    // Partitions or offsets were asked to join the transaction, and (confirmed) the coordinator said they did.
    private bool _anythingAdded;
    private bool _addConfirmed;
    private bool _bumpNeeded;

    public TransactionManager(ProducerContext context, string transactionalId)
    {
        _context = context;
        _coordinator = new TransactionCoordinatorClient(context, transactionalId);
    }

    /// <summary>The producer id and epoch records are sealed with; null before InitTransactions.</summary>
    public ProducerIdentity? Identity => _identity;

    /// <summary>Numbers the transactions; a partition added under an older serial must be added again.</summary>
    public int Serial => Volatile.Read(ref _serial);

    public TransactionPhase Phase => (TransactionPhase)Volatile.Read(ref _phase);

    /// <summary>Throws unless records may be sent now: only inside a transaction that has not failed.</summary>
    public void ThrowUnlessSending()
    {
        if (Phase == TransactionPhase.InTransaction) return;
        throw Refusal("produce");
    }

    public Task InitAsync(CancellationToken cancellationToken) => OneAtATimeAsync(async () =>
    {
        if (Phase != TransactionPhase.Uninitialized) throw Refusal("initialize transactions");
        ProducerIdentity identity = await Guard(_coordinator.InitProducerIdAsync(null, cancellationToken)).ConfigureAwait(false);
        _identity = identity;
        _context.Logger.LogInformation("Transactional id {Id} initialized as producer {ProducerId} epoch {Epoch}", _coordinator.TransactionalId, identity.ProducerId, identity.Epoch);
        SetPhase(TransactionPhase.Ready);
    }, cancellationToken);

    public void Begin()
    {
        lock (_lock)
        {
            if (Phase != TransactionPhase.Ready) throw Refusal("begin a transaction");
            _serial++;
            _anythingAdded = false;
            _addConfirmed = false;
            _groups.Clear();
            SetPhase(TransactionPhase.InTransaction);
        }
    }

    /// <summary>
    /// Adds to the transaction the partitions of a request about to be sent that are not in it yet
    /// (Sarama and the Java client hold batches until their partition is added). Returns null when the
    /// batches may go, or the error they fail with.
    /// </summary>
    public ValueTask<KafkaException?> AddPartitionsAsync(List<ProducerBatch> batches, CancellationToken cancellationToken)
    {
        int serial = Serial;
        foreach (ProducerBatch batch in batches)
            if (batch.Partition.TransactionSerial != serial) return AddPartitionsSlowAsync(batches, cancellationToken);
        return ValueTask.FromResult<KafkaException?>(null);
    }

    private async ValueTask<KafkaException?> AddPartitionsSlowAsync(List<ProducerBatch> batches, CancellationToken cancellationToken)
    {
        await _adding.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_error is { } doomed) return doomed;
            int serial = Serial;
            var missing = new HashSet<PartitionState>();
            foreach (ProducerBatch batch in batches)
                if (batch.Partition.TransactionSerial != serial) missing.Add(batch.Partition);
            if (missing.Count == 0) return null;
            lock (_lock) _anythingAdded = true;
            try
            {
                await Guard(_coordinator.AddPartitionsAsync(_identity!, missing, cancellationToken)).ConfigureAwait(false);
            }
            catch (KafkaTransactionException e)
            {
                return e;
            }
            catch (KafkaErrorException e) when (e is KafkaTimeoutException or KafkaConnectionException)
            {
                // No coordinator answered within the transaction timeout: the batches fail (thrown, they would stop the
                // broker's flusher with them in hand) and the transaction can only be aborted.
                KafkaTransactionException abortable = Classify(e.ErrorCode, e.Message, e, fromProduce: false);
                lock (_lock) Doom(abortable);
                return abortable;
            }
            foreach (PartitionState partition in missing) partition.TransactionSerial = serial;
            lock (_lock) _addConfirmed = true;
            return null;
        }
        finally
        {
            _adding.Release();
        }
    }

    /// <summary>A record of the transaction failed: the transaction cannot commit, and the next begins under a new epoch.</summary>
    public void OnRecordFailed(KafkaException error)
    {
        lock (_lock)
        {
            // Its sequence may now have a hole: the next transaction needs a new epoch, whatever this one's fate.
            _bumpNeeded = true;
            if (Phase is not (TransactionPhase.InTransaction or TransactionPhase.Committing)) return;
            Doom(error as KafkaTransactionException ?? Classify(error is KafkaErrorException k ? k.ErrorCode : ErrorCode.UnknownServerError,
                $"A record of the transaction failed: {error.Message}", error, fromProduce: true));
        }
    }

    public Task SendOffsetsAsync(IReadOnlyCollection<TopicPartitionOffset> offsets, ConsumerGroupMetadata group, CancellationToken cancellationToken) => OneAtATimeAsync(async () =>
    {
        if (Phase != TransactionPhase.InTransaction) throw Refusal("send offsets to the transaction");
        bool newGroup;
        lock (_lock)
        {
            newGroup = _groups.Add(group.GroupId);
            _anythingAdded = true;
        }
        if (newGroup) await Guard(_coordinator.AddOffsetsAsync(_identity!, group.GroupId, cancellationToken)).ConfigureAwait(false);
        lock (_lock) _addConfirmed = true;
        await Guard(_coordinator.CommitOffsetsAsync(_identity!, offsets, group, cancellationToken)).ConfigureAwait(false);
    }, cancellationToken);

    /// <summary>Flushes the transaction's records and commits it; a commit that timed out may be called again.</summary>
    public Task CommitAsync(Func<CancellationToken, Task> flush, CancellationToken cancellationToken) => OneAtATimeAsync(async () =>
    {
        lock (_lock)
        {
            if (Phase is not (TransactionPhase.InTransaction or TransactionPhase.Committing)) throw Refusal("commit");
            SetPhase(TransactionPhase.Committing);
        }
        await flush(cancellationToken).ConfigureAwait(false);
        if (_error is { } doomed) throw doomed;
        if (_anythingAdded) AdoptEndIdentity(await Guard(_coordinator.EndAsync(_identity!, commit: true, cancellationToken)).ConfigureAwait(false));
        SetPhase(TransactionPhase.Ready);
    }, cancellationToken);

    /// <summary>
    /// Waits for the transaction's records to finish (written or failed), aborts it, and bumps the epoch
    /// when a record failed, so every partition's sequence starts over (KIP-360).
    /// </summary>
    public Task AbortAsync(Func<CancellationToken, Task> flush, CancellationToken cancellationToken) => OneAtATimeAsync(async () =>
    {
        lock (_lock)
        {
            if (Phase is not (TransactionPhase.InTransaction or TransactionPhase.AbortableError or TransactionPhase.Aborting)) throw Refusal("abort");
            SetPhase(TransactionPhase.Aborting);
        }
        await flush(cancellationToken).ConfigureAwait(false);
        if (_anythingAdded) await Guard(EndAbortAsync(cancellationToken)).ConfigureAwait(false);
        if (_bumpNeeded)
        {
            ProducerIdentity bumped = await Guard(_coordinator.InitProducerIdAsync(_identity, cancellationToken)).ConfigureAwait(false);
            _context.Logger.LogInformation("Transactional producer epoch bumped from {Old} to {New} after an aborted transaction", _identity, bumped);
            _identity = bumped;
        }
        lock (_lock)
        {
            _error = null;
            _bumpNeeded = false;
            SetPhase(TransactionPhase.Ready);
        }
    }, cancellationToken);

    /// <summary>Transactions V2: the coordinator bumped the epoch at the end; the next transaction's batches carry the new one, from sequence 0.</summary>
    private void AdoptEndIdentity(ProducerIdentity? bumped)
    {
        if (bumped is null) return;
        _identity = bumped;
        _bumpNeeded = false;
    }

    /// <summary>Runs one transaction operation at a time: init, offsets, commit or abort.</summary>
    private async Task OneAtATimeAsync(Func<Task> operation, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await operation().ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    private async Task EndAbortAsync(CancellationToken cancellationToken)
    {
        try
        {
            AdoptEndIdentity(await _coordinator.EndAsync(_identity!, commit: false, cancellationToken).ConfigureAwait(false));
        }
        catch (KafkaErrorException e) when (e.ErrorCode == ErrorCode.InvalidProducerIdMapping)
        {
            // The coordinator no longer knows the id's producer (it expired): there is nothing to abort,
            // and the bump that follows asks for a fresh producer id.
            _bumpNeeded = true;
            _identity = null;
        }
        catch (KafkaErrorException e) when (e.ErrorCode == ErrorCode.InvalidTxnState && !_addConfirmed)
        {
            // Every add went unanswered (the coordinator was out of reach) and none had reached it: nothing was open.
        }
    }

    public void Dispose()
    {
        _coordinator.Dispose();
        _turn.Dispose();
        _adding.Dispose();
    }

    /// <summary>Runs a coordinator operation; its non-passing errors doom the transaction (abortable) or the producer (fatal).</summary>
    private async Task<T> Guard<T>(Task<T> operation)
    {
        try
        {
            return await operation.ConfigureAwait(false);
        }
        catch (KafkaErrorException e) when (e is not KafkaTimeoutException and not KafkaConnectionException and not KafkaTransactionException)
        {
            KafkaTransactionException classified = Classify(e.ErrorCode, e.Message, e, fromProduce: false);
            lock (_lock) Doom(classified);
            throw classified;
        }
    }

    private async Task Guard(Task operation) => await Guard(WithResult(operation)).ConfigureAwait(false);

    private static async Task<bool> WithResult(Task operation)
    {
        await operation.ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Fatal: fenced by a newer instance, not authorized, or a state the coordinator refuses. Abortable:
    /// everything else, including INVALID_PRODUCER_EPOCH from a Produce (KIP-588: the abort that follows
    /// learns from the coordinator whether the producer was fenced).
    /// </summary>
    private static KafkaTransactionException Classify(ErrorCode code, string message, Exception cause, bool fromProduce)
    {
        bool fatal = code is ErrorCode.ProducerFenced or ErrorCode.TransactionalIdAuthorizationFailed or ErrorCode.ClusterAuthorizationFailed
            or ErrorCode.InvalidTxnState or ErrorCode.UnsupportedVersion or ErrorCode.UnsupportedForMessageFormat
            || (code == ErrorCode.InvalidProducerEpoch && !fromProduce);
        return new KafkaTransactionException(code, fatal, fatal ? $"Fatal transaction error; dispose the producer. {message}" : $"The transaction must be aborted. {message}", cause);
    }

    // Under _lock. An abortable error dooms only an open transaction; an abort that meets one can be tried again.
    private void Doom(KafkaTransactionException error)
    {
        if (_error is { IsFatal: true }) return;
        if (error.IsFatal)
        {
            _error = error;
            SetPhase(TransactionPhase.FatalError);
        }
        else if (Phase is TransactionPhase.InTransaction or TransactionPhase.Committing)
        {
            _error = error;
            SetPhase(TransactionPhase.AbortableError);
        }
    }

    private void SetPhase(TransactionPhase phase) => Volatile.Write(ref _phase, (int)phase);

    private Exception Refusal(string what) => Phase switch
    {
        TransactionPhase.FatalError or TransactionPhase.AbortableError when _error is { } error =>
            new KafkaTransactionException(error.ErrorCode, error.IsFatal, $"Cannot {what}: {error.Message}", error),
        TransactionPhase.Uninitialized => new InvalidOperationException($"Cannot {what}: call InitTransactionsAsync first."),
        TransactionPhase.Ready => new InvalidOperationException($"Cannot {what}: no transaction is open; call BeginTransaction first."),
        TransactionPhase.InTransaction => new InvalidOperationException($"Cannot {what}: a transaction is already open (or transactions are already initialized)."),
        _ => new InvalidOperationException($"Cannot {what} while the transaction is {Phase}."),
    };
}

/// <summary>Where a transactional producer stands.</summary>
internal enum TransactionPhase
{
    Uninitialized,
    Ready,
    InTransaction,
    Committing,
    Aborting,
    AbortableError,
    FatalError,
}
