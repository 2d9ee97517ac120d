namespace KafkaNative.Extensions.Hosting;

/// <summary>
/// Settings of a hosted consumer (<c>AddKafkaConsumerHandler</c>): what it subscribes to, how many
/// records it handles at once, how it retries, where failed records go and how long it may take to stop.
/// Bound from the <c>Handler</c> section beside the consumer's settings (<c>Kafka:Consumers:NAME:Handler</c>).
/// </summary>
public sealed class KafkaHandlerOptions
{
    /// <summary>The configuration section, under the consumer's own, that holds these settings.</summary>
    public const string SectionName = "Handler";

    /// <summary>The topics to subscribe to; at least one.</summary>
    public IList<string> Topics { get; set; } = [];

    /// <summary>
    /// How many records (or batches) are handled at once. Records with the same key never run at the same
    /// time nor out of order; records without a key keep their partition's order. Default 1: one at a time.
    /// </summary>
    public int MaxConcurrency { get; set; } = 1;

    /// <summary>How many times a failing record is tried again before it goes to the dead-letter topic. Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Wait before the first retry; doubles with each retry up to <see cref="RetryBackoffMax"/>, with ±20% jitter. Default 200 ms.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between retries. Default 10 s.</summary>
    public TimeSpan RetryBackoffMax { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether a record that still fails after the retries goes to the dead-letter topic (default) or is only logged and skipped.</summary>
    public bool DeadLetterEnabled { get; set; } = true;

    /// <summary>The dead-letter topic; null (the default) sends a record of topic T to <c>T.DLT</c>.</summary>
    public string? DeadLetterTopic { get; set; }

    /// <summary>
    /// How long stopping may take: the consumer stops taking records at once, handlers in flight get this
    /// long to finish (their token is cancelled after it), then offsets are committed and the member leaves. Default 20 s,
    /// below the host's own default shutdown timeout (30 s) so the commit and the leave fit in; keep it below <c>HostOptions.ShutdownTimeout</c>.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The dead-letter topic for records of <paramref name="topic"/>.</summary>
    /// <param name="topic">The record's topic.</param>
    public string DeadLetterTopicFor(string topic) => DeadLetterTopic ?? topic + ".DLT";

    /// <summary>Checks every setting and throws for the first bad one.</summary>
    /// <exception cref="ArgumentException">A setting is missing or out of range; the message names it.</exception>
    public void Validate()
    {
        if (Topics is null || Topics.Count == 0 || Topics.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("Topics must name at least one topic, none of them empty.", nameof(Topics));
        if (MaxConcurrency is < 1 or > 10_000)
            throw new ArgumentException($"MaxConcurrency must be between 1 and 10000; it is {MaxConcurrency}.", nameof(MaxConcurrency));
        if (MaxRetries is < 0 or > 1000)
            throw new ArgumentException($"MaxRetries must be between 0 and 1000; it is {MaxRetries}.", nameof(MaxRetries));
        if (RetryBackoff <= TimeSpan.Zero || RetryBackoffMax < RetryBackoff)
            throw new ArgumentException($"RetryBackoff ({RetryBackoff}) must be positive and at most RetryBackoffMax ({RetryBackoffMax}).", nameof(RetryBackoff));
        if (DeadLetterTopic is { Length: 0 })
            throw new ArgumentException("DeadLetterTopic must not be empty; use null for <topic>.DLT.", nameof(DeadLetterTopic));
        if (ShutdownTimeout < TimeSpan.Zero)
            throw new ArgumentException($"ShutdownTimeout must not be negative; it is {ShutdownTimeout}.", nameof(ShutdownTimeout));
    }
}
