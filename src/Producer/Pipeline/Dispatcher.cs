using System.Runtime.InteropServices;
using System.Threading.Channels;
using KafkaNative.Client;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// The producer's entry stage (Sarama's dispatcher goroutine): fans records out to one topic producer
/// per topic, creating it on first use.
/// </summary>
internal sealed class Dispatcher(ProducerContext context) : SupervisedLoop
{
    // Per topic: its producer and the chunk this stage is filling for it (which outlives a replaced producer).
    private readonly Dictionary<string, TopicRoute> _topics = new(StringComparer.Ordinal);

    private struct TopicRoute
    {
        public TopicProducer? Producer;
        public RecordChunk? Filling;
    }

    /// <summary>How many records the input channel may hold.</summary>
    public const int Capacity = 4096;

    public Channel<PendingRecord> Input { get; } = Channel.CreateBounded<PendingRecord>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>
    /// Places in <see cref="Input"/>: a producer takes one before writing, so the write never waits
    /// inside the channel (whose waits allocate); waiting for a place reuses pooled waiters instead.
    /// </summary>
    public MemoryBudget Places { get; } = new(Capacity);

    protected override async Task RunAsync(CancellationToken stop)
    {
        while (await Input.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
        {
            int taken = 0;
            while (Input.Reader.TryRead(out PendingRecord record))
            {
                if (++taken == 256)
                {
                    Places.Release(taken);
                    taken = 0;
                }
                ref TopicRoute route = ref CollectionsMarshal.GetValueRefOrAddDefault(_topics, record.Topic, out _);
                if (route.Producer is null || route.Producer.IsStopped)
                {
                    // First record for the topic, or its producer stopped on its own: supervision starts a new one.
                    route.Producer = new TopicProducer(context, record.Topic);
                    route.Producer.Start(context.Shutdown.Token);
                }
                RecordChunk chunk = route.Filling ??= RecordChunk.Rent();
                chunk.Add(record);
                if (chunk.IsFull) await SendAsync(record.Topic, stop).ConfigureAwait(false);
            }
            Places.Release(taken);
            // Nothing more waiting: pass the partly filled chunks on rather than sit on them.
            foreach (KeyValuePair<string, TopicRoute> topic in _topics)
                if (topic.Value.Filling is not null) await SendAsync(topic.Key, stop).ConfigureAwait(false);
        }
    }

    protected override void LogFault(Exception fault) =>
        context.Logger.LogError(fault, "The producer's dispatcher failed; the producer takes no more records");

    protected override async ValueTask OnStoppedAsync()
    {
        Input.Writer.TryComplete();
        Pipeline.FailAll(context, Input.Reader, "the producer was closed");
        // Nobody reads the channel any more: every place in it is free, so writers waiting for one
        // wake up, find the channel closed and fail instead of waiting forever.
        Places.Release(Places.InUse);
        foreach (TopicRoute route in _topics.Values)
        {
            if (route.Filling is not null) Pipeline.FailAll(context, route.Filling, "the producer was closed");
            route.Producer?.Input.Writer.TryComplete();
        }
        await Task.WhenAll(_topics.Values.Select(t => t.Producer?.Completion ?? Task.CompletedTask)).ConfigureAwait(false);
    }

    private async ValueTask SendAsync(string topic, CancellationToken stop)
    {
        ref TopicRoute route = ref CollectionsMarshal.GetValueRefOrNullRef(_topics, topic);
        RecordChunk chunk = route.Filling!;
        TopicProducer producer = route.Producer!;
        route.Filling = null;
        if (await Pipeline.TrySendAsync(producer.Input.Writer, chunk, stop).ConfigureAwait(false)) return;
        // The topic producer stopped on its own: these records fail with its cause; the next record starts a replacement.
        Pipeline.FailAll(context, chunk, producer.FaultError ?? Pipeline.Closed(topic, -1, "the topic producer stopped"));
    }
}
