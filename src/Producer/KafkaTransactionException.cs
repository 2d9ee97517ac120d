using KafkaNative.Protocol;

namespace KafkaNative;

/// <summary>
/// A transaction operation failed. <see cref="IsFatal"/> means the producer can do no more transactional
/// work (another instance with the same transactional id fenced it, or it is not authorized): dispose it.
/// <see cref="RequiresAbort"/> means the current transaction cannot commit (a record failed, the group
/// refused the offsets): call <see cref="IKafkaProducer{TKey, TValue}.AbortTransactionAsync"/>, then begin again.
/// </summary>
public sealed class KafkaTransactionException : KafkaErrorException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorCode">The Kafka error behind it.</param>
    /// <param name="isFatal">True when the producer can do no more transactional work.</param>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The failure that caused it.</param>
    public KafkaTransactionException(ErrorCode errorCode, bool isFatal, string message, Exception? innerException = null)
        : base(errorCode, message, innerException)
    {
        IsFatal = isFatal;
    }

    /// <summary>True when the producer can do no more transactional work and must be disposed.</summary>
    public bool IsFatal { get; }

    /// <summary>True when the transaction must be aborted; the producer can begin another after that.</summary>
    public bool RequiresAbort => !IsFatal;

    /// <inheritdoc />
    public override bool IsRetriable => false;
}
