namespace KafkaNative;

/// <summary>What a record's timestamp means.</summary>
public enum TimestampType : sbyte
{
    /// <summary>The record has no timestamp (legacy magic 0 messages).</summary>
    None = -1,

    /// <summary>The producer set the timestamp when it created the record.</summary>
    CreateTime = 0,

    /// <summary>The broker set the timestamp when it appended the batch to the log.</summary>
    LogAppendTime = 1,
}
