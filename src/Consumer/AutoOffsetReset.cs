namespace KafkaNative;

/// <summary>Where to start when a partition has no committed offset, or its offset is out of range.</summary>
public enum AutoOffsetReset
{
    /// <summary>Start at the latest offset: only messages produced from now on are read.</summary>
    Latest,

    /// <summary>Start at the earliest offset still in the log.</summary>
    Earliest,

    /// <summary>Report an error (a <see cref="KafkaConsumeException"/> from the consume loop) instead of guessing.</summary>
    Error,
}
