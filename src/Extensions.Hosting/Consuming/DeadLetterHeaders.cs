namespace KafkaNative.Extensions.Hosting;

/// <summary>
/// The headers a hosted consumer adds to a record it sends to the dead-letter topic, after the record's
/// own headers. Values are UTF-8 text; numbers in invariant decimal; the timestamp in Unix milliseconds.
/// </summary>
public static class DeadLetterHeaders
{
    /// <summary>The full type name of the exception of the last attempt.</summary>
    public const string ErrorType = "kafkanative.error.type";

    /// <summary>The exception's message (at most 4,096 characters).</summary>
    public const string ErrorMessage = "kafkanative.error.message";

    /// <summary>The topic the record was read from.</summary>
    public const string OriginalTopic = "kafkanative.original.topic";

    /// <summary>The partition the record was read from.</summary>
    public const string OriginalPartition = "kafkanative.original.partition";

    /// <summary>The record's offset in that partition.</summary>
    public const string OriginalOffset = "kafkanative.original.offset";

    /// <summary>The record's timestamp, in Unix milliseconds.</summary>
    public const string OriginalTimestamp = "kafkanative.original.timestamp";

    /// <summary>The consumer group that failed to handle it.</summary>
    public const string ConsumerGroup = "kafkanative.consumer.group";

    /// <summary>How many retries were made after the first attempt (0 when the record could not even be deserialized).</summary>
    public const string Retries = "kafkanative.retries";
}
