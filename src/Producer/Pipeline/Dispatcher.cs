using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// The producer's entry stage (Sarama's dispatcher goroutine): fans records out to one topic producer
/// per topic, creating it on first use.
/// </summary>
internal sealed class Dispatcher(ProducerContext context)
{
    private readonly Dictionary<string, TopicProducer> _topics = new(StringComparer.Ordinal);

    /// <summary>How many records the input channel may hold.</summary>
    public const int Capacity = 4096;

    public Channel<PendingRecord> Input { get; } = Channel.CreateBounded<PendingRecord>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>
    /// Places in <see cref="Input"/>: a producer takes one before writing, so the write never waits
    /// inside the channel (whose waits allocate); waiting for a place reuses pooled waiters instead.
    /// </summary>
    public MemoryBudget Places { get; } = new(Capacity);

    /// <summary>Why the dispatcher stopped on its own, if it did; the producer then refuses new records with it.</summary>
    public Exception? Fault { get; private set; }

    public async Task RunAsync()
    {
        CancellationToken shutdown = context.Shutdown.Token;
        try
        {
            while (await Input.Reader.WaitToReadAsync(shutdown).ConfigureAwait(false))
            {
                int taken = 0;
                while (Input.Reader.TryRead(out PendingRecord record))
                {
                    if (++taken == 256)
                    {
                        Places.Release(taken);
                        taken = 0;
                    }
                    if (!_topics.TryGetValue(record.Topic, out TopicProducer? topic) || topic.Completion.IsCompleted)
                    {
                        // First record for the topic, or its producer stopped on its own: supervision starts a new one.
                        topic = new TopicProducer(context, record.Topic) { Filling = topic?.Filling };
                        _topics[record.Topic] = topic;
                    }
                    RecordChunk chunk = topic.Filling ??= RecordChunk.Rent();
                    chunk.Add(record);
                    if (chunk.IsFull) await SendAsync(topic, shutdown).ConfigureAwait(false);
                }
                Places.Release(taken);
                // Nothing more waiting: pass the partly filled chunks on rather than sit on them.
                foreach (TopicProducer topic in _topics.Values)
                    if (topic.Filling is not null) await SendAsync(topic, shutdown).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            context.Logger.LogError(e, "The producer's dispatcher failed; the producer takes no more records");
            Fault = e;
        }
        finally
        {
            Input.Writer.TryComplete();
            Pipeline.FailAll(context, Input.Reader, "the producer was closed");
            // Nobody reads the channel any more: every place in it is free, so writers waiting for one
            // wake up, find the channel closed and fail instead of waiting forever.
            Places.Release(Places.InUse);
            foreach (TopicProducer topic in _topics.Values)
            {
                if (topic.Filling is not null) Pipeline.FailAll(context, topic.Filling, "the producer was closed");
                topic.Filling = null;
                topic.Input.Writer.TryComplete();
            }
            await Task.WhenAll(_topics.Values.Select(t => t.Completion)).ConfigureAwait(false);
        }
    }

    private async ValueTask SendAsync(TopicProducer topic, CancellationToken shutdown)
    {
        RecordChunk chunk = topic.Filling!;
        topic.Filling = null;
        if (await Pipeline.TrySendAsync(topic.Input.Writer, chunk, shutdown).ConfigureAwait(false)) return;
        // The topic producer stopped on its own: these records fail with its cause; the next record starts a replacement.
        Pipeline.FailAll(context, chunk, topic.Fault ?? Pipeline.Closed(chunk.Records[0].Topic, -1, "the topic producer stopped"));
    }
}
