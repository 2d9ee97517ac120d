using KafkaNative.Client;
using KafkaNative.Protocol;

namespace KafkaNative;

/// <summary>A record was not delivered. <see cref="Exception.InnerException"/> holds the last error seen.</summary>
public sealed class ProduceException : KafkaErrorException
{
    /// <summary>Creates the exception for a record of <paramref name="topic"/>.</summary>
    public ProduceException(string topic, int partition, ErrorCode errorCode, string message, Exception? innerException = null)
        : base(errorCode, $"Record for {topic}-{partition} not delivered: {message}", innerException)
    {
        Topic = topic;
        Partition = partition;
    }

    /// <summary>The record's topic.</summary>
    public string Topic { get; }

    /// <summary>The record's partition, or -1 when it had none yet.</summary>
    public int Partition { get; }
}
