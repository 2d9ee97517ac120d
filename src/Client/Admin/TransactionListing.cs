namespace KafkaNative.Admin;

/// <summary>A transactional id as ListTransactions reports it.</summary>
/// <param name="TransactionalId">The transactional id.</param>
/// <param name="ProducerId">The producer id its coordinator assigned.</param>
/// <param name="State">Where its current (or last) transaction stands.</param>
public sealed record TransactionListing(string TransactionalId, long ProducerId, TransactionState State);
