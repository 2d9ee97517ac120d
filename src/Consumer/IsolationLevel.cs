namespace KafkaNative;

/// <summary>Which transactional messages a consumer sees.</summary>
public enum IsolationLevel
{
    /// <summary>Every message, including those of open and aborted transactions.</summary>
    ReadUncommitted = 0,

    /// <summary>Only committed messages: reads stop at the last stable offset and aborted transactions are filtered out.</summary>
    ReadCommitted = 1,
}
