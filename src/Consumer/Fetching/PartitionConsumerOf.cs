using System.Collections.Concurrent;
using System.Threading.Channels;
using KafkaNative.Client;

namespace KafkaNative.Consumer.Fetching;

/// <summary>
/// The typed half of a <see cref="PartitionConsumer"/>: its feeder and the bounded queue of message
/// chunks between the feeder and the application (Sarama's per-partition messages channel).
/// </summary>
internal sealed class PartitionConsumer<TKey, TValue> : PartitionConsumer
{
    private readonly Channel<MessageChunk<TKey, TValue>> _output;
    private readonly ConcurrentQueue<MessageChunk<TKey, TValue>> _pool = new();
    private readonly int _poolLimit;
    private readonly PartitionFeeder<TKey, TValue> _feeder;

    public PartitionConsumer(ConsumerContext context, TopicPartition partition, long initialOffset, IDeserializer<TKey> keys, IDeserializer<TValue> values)
        : base(context, partition, initialOffset)
    {
        int chunks = Math.Max(2, (context.Options.QueuedMessagesPerPartition + MessageChunk<TKey, TValue>.Capacity - 1) / MessageChunk<TKey, TValue>.Capacity);
        _output = Channel.CreateBounded<MessageChunk<TKey, TValue>>(new BoundedChannelOptions(chunks) { SingleWriter = true });
        _poolLimit = chunks + 2;
        _feeder = new PartitionFeeder<TKey, TValue>(this, keys, values);
    }

    internal ChannelWriter<MessageChunk<TKey, TValue>> Output => _output.Writer;

    internal ChannelReader<MessageChunk<TKey, TValue>> Messages => _output.Reader;

    protected override SupervisedLoop Feeder => _feeder;

    public MessageChunk<TKey, TValue> RentChunk() => _pool.TryDequeue(out MessageChunk<TKey, TValue>? chunk) ? chunk : new MessageChunk<TKey, TValue>();

    public void ReturnChunk(MessageChunk<TKey, TValue> chunk)
    {
        chunk.Clear();
        if (_pool.Count < _poolLimit) _pool.Enqueue(chunk);
    }

    public override async ValueTask ReportErrorAsync(Exception error, CancellationToken cancellationToken)
    {
        MessageChunk<TKey, TValue> chunk = RentChunk();
        chunk.Version = Version;
        chunk.Error = error;
        try
        {
            await _output.Writer.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Stopped meanwhile.
        }
        Context.SignalDataReady();
    }

    protected override void DiscardBuffered()
    {
        while (_output.Reader.TryRead(out MessageChunk<TKey, TValue>? chunk)) ReturnChunk(chunk);
    }

    protected override void OnStopped()
    {
        _output.Writer.TryComplete();
        Context.SignalDataReady();
    }
}
