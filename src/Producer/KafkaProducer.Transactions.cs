using KafkaNative.Producer.Transactions;
using Microsoft.Extensions.Logging;

namespace KafkaNative;

public sealed partial class KafkaProducer<TKey, TValue>
{
    /// <summary>
    /// Registers the <see cref="ProducerOptions.TransactionalId"/> with its transaction coordinator, once, before the
    /// first transaction: this fences any older producer with the same id and waits for its open transaction
    /// to be aborted.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait; retries stop at <see cref="ProducerOptions.TransactionTimeout"/> on their own.</param>
    /// <exception cref="InvalidOperationException">The producer has no TransactionalId, or was initialized already.</exception>
    /// <exception cref="KafkaTransactionException">The coordinator refused (fatal: not authorized).</exception>
    /// <exception cref="KafkaTimeoutException">No coordinator answered within the transaction timeout.</exception>
    public Task InitTransactionsAsync(CancellationToken cancellationToken = default) => Transactions.InitAsync(cancellationToken);

    /// <summary>Opens a transaction: the records produced until it commits or aborts belong to it.</summary>
    /// <exception cref="InvalidOperationException">Not initialized, or a transaction is already open.</exception>
    /// <exception cref="KafkaTransactionException">A fatal error ended transactional work.</exception>
    public void BeginTransaction() => Transactions.Begin();

    /// <summary>
    /// Adds a consumer group's offsets to the open transaction: they commit with it (and vanish if it aborts),
    /// which makes consume-transform-produce exactly once. Pass the offsets of the next records to read
    /// (last processed + 1) and the consumer's <c>GroupMetadata</c>, so that
    /// offsets from a member the group has since replaced are refused.
    /// </summary>
    /// <param name="offsets">The offsets to commit with the transaction.</param>
    /// <param name="groupMetadata">The consumer's group, generation and member.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="KafkaTransactionException">Abortable (the group refused the member's generation) or fatal.</exception>
    public Task SendOffsetsToTransactionAsync(IEnumerable<TopicPartitionOffset> offsets, ConsumerGroupMetadata groupMetadata, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(groupMetadata);
        TopicPartitionOffset[] list = [.. offsets];
        foreach (TopicPartitionOffset offset in list)
        {
            ArgumentException.ThrowIfNullOrEmpty(offset.Topic, nameof(offsets));
            if (offset.Offset < 0) throw new ArgumentException($"Offset {offset} is not a position to commit; pass the next offset to read.", nameof(offsets));
        }
        return Transactions.SendOffsetsAsync(list, groupMetadata, cancellationToken);
    }

    /// <summary>
    /// Sends every record of the transaction, waits for them, and commits: read_committed consumers then see
    /// the records, and the offsets sent to the transaction are committed. If the call times out it may be
    /// called again.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait; the transaction stays committing and the call may be repeated.</param>
    /// <exception cref="KafkaTransactionException">
    /// <see cref="KafkaTransactionException.RequiresAbort"/>: a record failed, so the transaction cannot commit; abort it.
    /// <see cref="KafkaTransactionException.IsFatal"/>: the producer was fenced; dispose it.
    /// </exception>
    public Task CommitTransactionAsync(CancellationToken cancellationToken = default) => Transactions.CommitAsync(FlushAsync, cancellationToken);

    /// <summary>
    /// Aborts the open transaction: waits for its records to finish, then the coordinator marks them aborted, so
    /// read_committed consumers never see them. After an abortable error the producer continues under a bumped
    /// epoch, and <see cref="BeginTransaction"/> may be called again.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait; the call may be repeated.</param>
    /// <exception cref="KafkaTransactionException">Fatal: the producer was fenced; dispose it.</exception>
    public Task AbortTransactionAsync(CancellationToken cancellationToken = default) => Transactions.AbortAsync(FlushAsync, cancellationToken);

    private TransactionManager Transactions => _context.Transactions
        ?? throw new InvalidOperationException("Transactions need ProducerOptions.TransactionalId.");

    // Closing with a transaction open aborts it, rather than leaving read_committed consumers stuck behind it until it times out.
    private async Task AbortOpenTransactionAsync(CancellationToken cancellationToken)
    {
        if (_context.Transactions?.Phase is not (TransactionPhase.InTransaction or TransactionPhase.AbortableError or TransactionPhase.Aborting)) return;
        try
        {
            await _context.Transactions.AbortAsync(FlushAsync, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            _context.Logger.LogWarning(e, "Closing the producer: the open transaction could not be aborted; the coordinator aborts it after its timeout");
        }
    }
}
