using KafkaNative.Client;
using KafkaNative.Protocol;

namespace KafkaNative;

/// <summary>
/// The log of a partition was truncated below this consumer's position (KIP-320): after a leader change,
/// typically an unclean election, the new leader lacks messages this consumer already read, and
/// <see cref="ConsumerOptions.AutoOffsetReset"/> is <see cref="AutoOffsetReset.Error"/>. Thrown from the consume
/// loop; the partition fetches nothing more until the application seeks, for instance to
/// <see cref="DivergenceOffset"/> (the first offset whose messages may differ from those read) to read the new
/// leader's messages from there. With another reset policy the consumer seeks there itself and logs a warning.
/// </summary>
public sealed class KafkaLogTruncationException : KafkaConsumeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="position">The consumer's position when the truncation was found.</param>
    /// <param name="divergenceOffset">Where the log diverges, or null when the leader knows no end for the consumer's epoch.</param>
    /// <param name="message">The message.</param>
    public KafkaLogTruncationException(TopicPartition partition, long position, long? divergenceOffset, string message)
        : base(ErrorCode.OffsetOutOfRange, partition, message)
    {
        Position = position;
        DivergenceOffset = divergenceOffset;
    }

    /// <summary>The consumer's position (the next offset it would have read) when the truncation was found.</summary>
    public long Position { get; }

    /// <summary>
    /// The first offset known to diverge: the new leader's end of the leader epoch of the last message read; messages
    /// from here to <see cref="Position"/> are gone or differ. Null when the leader has no record of that epoch.
    /// </summary>
    public long? DivergenceOffset { get; }

    /// <inheritdoc />
    public override bool IsRetriable => false;
}
