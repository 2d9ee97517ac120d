using KafkaNative.Client;
using KafkaNative.Protocol;

namespace KafkaNative;

/// <summary>
/// A partition cannot be consumed and the consumer cannot recover by itself: its offset is out of
/// range with <see cref="AutoOffsetReset.Error"/>, the topic is not authorized or does not exist, a
/// record is corrupt (<see cref="KafkaCorruptRecordException"/>), or the group fenced this member.
/// Thrown from the consume loop.
/// </summary>
public class KafkaConsumeException : KafkaErrorException
{
    /// <summary>Creates the exception.</summary>
    public KafkaConsumeException(ErrorCode errorCode, TopicPartition? partition, string message, Exception? innerException = null)
        : base(errorCode, message, innerException)
    {
        TopicPartition = partition;
    }

    /// <summary>The partition concerned, or null for a group-wide error.</summary>
    public TopicPartition? TopicPartition { get; }
}
