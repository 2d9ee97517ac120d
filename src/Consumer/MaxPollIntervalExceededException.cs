using KafkaNative.Protocol;

namespace KafkaNative;

/// <summary>
/// The application did not ask for records (or a partition callback ran) for longer than
/// <see cref="ConsumerOptions.MaxPollInterval"/>, so the consumer left its group and its partitions went
/// to other members. Thrown once from the consume loop; consuming again rejoins the group.
/// </summary>
public sealed class MaxPollIntervalExceededException : KafkaException
{
    /// <summary>Creates the exception.</summary>
    public MaxPollIntervalExceededException(string message) : base(message)
    {
    }
}
