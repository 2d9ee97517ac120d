using System.Runtime.InteropServices;
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
    // Chunks taken from the entry queue and not yet dispatched; a stop fails what is left of them.
    private readonly List<RecordChunk> _taken = [];
    private int _nextTaken;
    // The chunk being split between topics, and how far: a stop fails the rest of it.
    private RecordChunk? _splitting;
    private int _splitFrom;

    private struct TopicRoute
    {
        public TopicProducer? Producer;
        public RecordChunk? Filling;
    }

    /// <summary>Records the entry queue may hold: callers wait beyond it, so the caller cannot run far ahead of the pipeline.</summary>
    public const int Capacity = 4096;

    /// <summary>Where callers' records come in.</summary>
    public EntryQueue Entry { get; } = new();

    /// <summary>Places in <see cref="Entry"/>: a caller takes one per record before queueing it; this stage gives them back as it takes records.</summary>
    public MemoryBudget Places { get; } = new(Capacity);

    protected override async Task RunAsync(CancellationToken stop)
    {
        while (await Entry.WaitAsync(stop).ConfigureAwait(false)) await DispatchQueuedAsync(stop).ConfigureAwait(false);
        // Closed by a producer that is shutting down: what came in before still goes on.
        await DispatchQueuedAsync(stop).ConfigureAwait(false);
    }

    protected override void LogFault(Exception fault) =>
        context.Logger.LogError(fault, "The producer's dispatcher failed; the producer takes no more records");

    protected override async ValueTask OnStoppedAsync()
    {
        Entry.Close();
        // Nobody takes records any more: every place is free, so callers waiting for one wake up and find the queue closed.
        Places.Release(Places.InUse);
        if (_splitting is { } split)
        {
            for (int i = _splitFrom; i < split.Count; i++) Pipeline.Fail(context, ref split.Records[i], Pipeline.Closed(split.Records[i].Topic, -1, "the producer was closed"));
            split.Return();
            _splitting = null;
        }
        Entry.TakeAll(_taken);
        for (int c = _nextTaken; c < _taken.Count; c++) Pipeline.FailAll(context, _taken[c], "the producer was closed");
        _taken.Clear();
        foreach (TopicRoute route in _topics.Values)
        {
            if (route.Filling is not null) Pipeline.FailAll(context, route.Filling, "the producer was closed");
            route.Producer?.Input.Writer.TryComplete();
        }
        await Task.WhenAll(_topics.Values.Select(t => t.Producer?.Completion ?? Task.CompletedTask)).ConfigureAwait(false);
    }

    private async ValueTask DispatchQueuedAsync(CancellationToken stop)
    {
        Entry.TakeAll(_taken);
        int records = 0;
        foreach (RecordChunk chunk in _taken) records += chunk.Count;
        Places.Release(records);
        while (_nextTaken < _taken.Count)
        {
            RecordChunk chunk = _taken[_nextTaken++];
            // The usual case, a chunk of one topic: it goes on as it is, without copying its records.
            if (OfOneTopic(chunk) is { } topic && TryHandOverWhole(topic, chunk))
            {
                await SendAsync(topic, stop).ConfigureAwait(false);
                continue;
            }
            _splitting = chunk;
            for (_splitFrom = 0; _splitFrom < chunk.Count;)
            {
                ref PendingRecord record = ref chunk.Records[_splitFrom++];
                ref TopicRoute route = ref RouteFor(record.Topic);
                RecordChunk filling = route.Filling ??= RecordChunk.Rent();
                filling.Add(record);
                if (filling.IsFull) await SendAsync(record.Topic, stop).ConfigureAwait(false);
            }
            _splitting = null;
            chunk.Return();
        }
        _taken.Clear();
        _nextTaken = 0;
        // Nothing more waiting: pass the partly filled chunks on rather than sit on them.
        foreach (KeyValuePair<string, TopicRoute> topic in _topics)
            if (topic.Value.Filling is not null) await SendAsync(topic.Key, stop).ConfigureAwait(false);
    }

    private static string? OfOneTopic(RecordChunk chunk)
    {
        if (chunk.Count == 0) return null;
        string topic = chunk.Records[0].Topic;
        for (int i = 1; i < chunk.Count; i++)
            if (!ReferenceEquals(chunk.Records[i].Topic, topic) && chunk.Records[i].Topic != topic) return null;
        return topic;
    }

    /// <summary>Makes <paramref name="chunk"/> the topic's filling chunk when it has none, so it goes on uncopied.</summary>
    private bool TryHandOverWhole(string topic, RecordChunk chunk)
    {
        ref TopicRoute route = ref RouteFor(topic);
        if (route.Filling is not null) return false;
        route.Filling = chunk;
        return true;
    }

    /// <summary>The topic's route, with a running topic producer (first record for the topic, or supervision replacing a stopped one).</summary>
    private ref TopicRoute RouteFor(string topic)
    {
        ref TopicRoute route = ref CollectionsMarshal.GetValueRefOrAddDefault(_topics, topic, out _);
        if (route.Producer is null || route.Producer.IsStopped)
        {
            route.Producer = new TopicProducer(context, topic);
            route.Producer.Start(context.Shutdown.Token);
        }
        return ref route;
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
