using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Extensions.Hosting;

/// <summary>
/// Sends a record that could not be handled to the dead-letter topic: its original key, value and headers
/// byte for byte, plus <see cref="DeadLetterHeaders"/> saying what went wrong. A failed send is retried
/// with backoff until it succeeds or the shutdown deadline passes, since the record's offset is only
/// committed once it is somewhere.
/// </summary>
internal sealed class DeadLetterSender(IKafkaProducer<byte[], byte[]> producer, KafkaHandlerOptions options, string? group, TimeProvider time, ILogger logger)
{
    private const int MaxMessageLength = 4096;

    public async Task SendAsync(ConsumeResult<byte[]?, byte[]?> record, Exception error, int retries, CancellationToken cancellationToken)
    {
        string topic = options.DeadLetterTopicFor(record.Topic);
        var message = new Message<byte[], byte[]> { Key = record.Key, Value = record.Value, Headers = HeadersFor(record, error, retries) };
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await producer.ProduceAsync(topic, message, cancellationToken).ConfigureAwait(false);
                logger.LogWarning(error, "Record {Topic}-{Partition}@{Offset} failed after {Retries} retries; sent to {DeadLetterTopic}",
                    record.Topic, record.Partition, record.Offset, retries, topic);
                return;
            }
            catch (KafkaException sendError)
            {
                logger.LogError(sendError, "Sending {Topic}-{Partition}@{Offset} to {DeadLetterTopic} failed; trying again",
                    record.Topic, record.Partition, record.Offset, topic);
                await Task.Delay(RetryDelay.For(attempt, options.RetryBackoff, options.RetryBackoffMax), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private RecordHeader[] HeadersFor(ConsumeResult<byte[]?, byte[]?> record, Exception error, int retries)
    {
        string text = error.Message.Length > MaxMessageLength ? error.Message[..MaxMessageLength] : error.Message;
        var headers = new List<RecordHeader>(record.Headers.Count + 8);
        headers.AddRange(record.Headers);
        Add(headers, DeadLetterHeaders.ErrorType, error.GetType().FullName ?? error.GetType().Name);
        Add(headers, DeadLetterHeaders.ErrorMessage, text);
        Add(headers, DeadLetterHeaders.OriginalTopic, record.Topic);
        Add(headers, DeadLetterHeaders.OriginalPartition, record.Partition.ToString(CultureInfo.InvariantCulture));
        Add(headers, DeadLetterHeaders.OriginalOffset, record.Offset.ToString(CultureInfo.InvariantCulture));
        Add(headers, DeadLetterHeaders.OriginalTimestamp, record.Timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        if (group is not null) Add(headers, DeadLetterHeaders.ConsumerGroup, group);
        Add(headers, DeadLetterHeaders.Retries, retries.ToString(CultureInfo.InvariantCulture));
        return [.. headers];
    }

    private static void Add(List<RecordHeader> headers, string key, string value) =>
        headers.Add(new RecordHeader(key, Encoding.UTF8.GetBytes(value)));
}
