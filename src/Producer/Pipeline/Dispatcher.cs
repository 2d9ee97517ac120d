using System.Threading.Channels;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// The producer's entry stage (Sarama's dispatcher goroutine): fans records out to one topic producer
/// per topic, creating it on first use.
/// </summary>
internal sealed class Dispatcher(ProducerContext context)
{
    private readonly Dictionary<string, TopicProducer> _topics = new(StringComparer.Ordinal);

    public Channel<PendingRecord> Input { get; } = Channel.CreateBounded<PendingRecord>(
        new BoundedChannelOptions(4096) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public async Task RunAsync()
    {
        CancellationToken shutdown = context.Shutdown.Token;
        try
        {
            while (await Input.Reader.WaitToReadAsync(shutdown).ConfigureAwait(false))
            {
                while (Input.Reader.TryRead(out PendingRecord record))
                {
                    if (!_topics.TryGetValue(record.Topic, out TopicProducer? topic))
                    {
                        topic = new TopicProducer(context, record.Topic);
                        _topics.Add(record.Topic, topic);
                    }
                    if (!topic.Input.Writer.TryWrite(record))
                        await topic.Input.Writer.WriteAsync(record, shutdown).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
        }
        finally
        {
            Pipeline.FailAll(context, Input.Reader, "the producer was closed");
            foreach (TopicProducer topic in _topics.Values) topic.Input.Writer.TryComplete();
            await Task.WhenAll(_topics.Values.Select(t => t.Completion)).ConfigureAwait(false);
        }
    }
}
