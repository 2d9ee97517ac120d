using System.Threading.Channels;
using KafkaNative.Client;
using KafkaNative.Protocol;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// One topic's stage (Sarama's topicProducer): learns the partition count, picks each record's
/// partition (murmur2 for keys, sticky otherwise, or the user's partitioner) and hands it to that
/// partition's producer, created on first use.
/// </summary>
internal sealed class TopicProducer(ProducerContext context, string topic) : SupervisedLoop
{
    private readonly ProducerContext _context = context;
    private readonly string _topic = topic;
    private PartitionProducer?[] _partitions = [];
    // Per partition, the chunk this stage is filling for it (which outlives a replaced producer).
    private RecordChunk?[] _filling = [];
    private readonly List<int> _filled = [];
    private ClusterMetadata? _seenMetadata;
    // Unkeyed bytes routed to the current sticky partition, to tell the partitioner its batch is full.
    private long _stickyBytes;
    private int _stickyPartition = -1;
    // Why the latest metadata lookup for the topic gave no partitions, for the records that fail on it.
    private KafkaErrorException? _metadataError;

    public Channel<RecordChunk> Input { get; } = Pipeline.ChunkChannel(singleWriter: true);

    /// <summary>What records fail with after the stage stopped on its own; null while it has not.</summary>
    public ProduceException? FaultError => Fault is null ? null : Pipeline.Crashed(_topic, -1, "topic producer", Fault);

    protected override async Task RunAsync(CancellationToken stop)
    {
        while (await Input.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
        {
            while (Input.Reader.TryRead(out RecordChunk? chunk))
            {
                for (int i = 0; i < chunk.Count; i++)
                {
                    // Known metadata (nearly always): route without an await per record.
                    int full = KnownPartitionCount is int count
                        ? Route(ref chunk.Records[i], count)
                        : Route(ref chunk.Records[i], await PartitionCountAsync(chunk.Records[i].Deadline, stop).ConfigureAwait(false));
                    if (full >= 0) await SendAsync(full, stop).ConfigureAwait(false);
                }
                chunk.Return();
            }
            // Nothing more waiting: pass the partly filled chunks on.
            foreach (int partition in _filled)
                if (_filling[partition] is not null) await SendAsync(partition, stop).ConfigureAwait(false);
            _filled.Clear();
        }
    }

    protected override void LogFault(Exception fault) => _context.Logger.LogError(fault, "The topic producer for {Topic} failed", _topic);

    /// <summary>Supervision: what is held fails with the cause (or as closed), and input is refused; the dispatcher replaces the stage.</summary>
    protected override async ValueTask OnStoppedAsync()
    {
        Input.Writer.TryComplete();
        if (FaultError is { } crash) Pipeline.FailAll(_context, Input.Reader, crash);
        else Pipeline.FailAll(_context, Input.Reader, "the producer was closed");
        foreach (RecordChunk? chunk in _filling)
            if (chunk is not null) Pipeline.FailAll(_context, chunk, "the producer was closed");
        Array.Clear(_filling);
        var started = _partitions.Where(p => p is not null).Select(p => p!).ToList();
        foreach (PartitionProducer partition in started) partition.Input.Writer.TryComplete();
        await Task.WhenAll(started.Select(p => p.Completion)).ConfigureAwait(false);
    }

    /// <summary>The partition count from metadata already seen, or null when it must be looked up.</summary>
    private int? KnownPartitionCount =>
        _context.Cluster.Metadata is { } metadata && ReferenceEquals(metadata, _seenMetadata) && _partitions.Length > 0 ? _partitions.Length : null;

    /// <summary>Fails the record or adds it to its partition's chunk; returns that partition when its chunk is full, else -1.</summary>
    private int Route(ref PendingRecord record, int count)
    {
        if (count <= 0)
        {
            Pipeline.Fail(_context, ref record, NoMetadata(record.Partition));
            return -1;
        }
        if (record.Partition >= count)
        {
            Pipeline.Fail(_context, ref record, new ProduceException(_topic, record.Partition, ErrorCode.UnknownTopicOrPartition,
                $"topic {_topic} has {count} partitions; {record.Partition} is not one of them"));
            return -1;
        }
        if (record.Partition < 0)
        {
            try
            {
                record.Partition = PickPartition(ref record, count);
            }
            catch (Exception e)
            {
                // The user's partitioner failed for this record: this record fails, the others go on.
                Pipeline.Fail(_context, ref record, new ProduceException(_topic, -1, ErrorCode.InvalidRecord, $"the partitioner failed: {e.Message}", e));
                return -1;
            }
        }

        int index = record.Partition;
        PartitionProducer? partition = _partitions[index];
        if (partition is null || partition.IsStopped)
        {
            // First record for the partition, or its producer stopped on its own: supervision starts a new one.
            _partitions[index] = partition = new PartitionProducer(_context, _topic, index);
            partition.Start(_context.Shutdown.Token);
        }
        if (_filling[index] is null)
        {
            _filling[index] = RecordChunk.Rent();
            _filled.Add(index);
        }
        RecordChunk filling = _filling[index]!;
        filling.Add(record);
        return filling.IsFull ? index : -1;
    }

    private async ValueTask SendAsync(int index, CancellationToken shutdown)
    {
        RecordChunk chunk = _filling[index]!;
        PartitionProducer partition = _partitions[index]!;
        _filling[index] = null;
        if (await Pipeline.TrySendAsync(partition.Input.Writer, chunk, shutdown).ConfigureAwait(false)) return;
        // The partition producer stopped on its own (it logged why): these records fail with its cause,
        // and the next record for the partition starts a replacement.
        Pipeline.FailAll(_context, chunk, partition.FaultError ?? Pipeline.Closed(_topic, index, "the partition producer stopped"));
    }

    private ProduceException NoMetadata(int partition) => _metadataError switch
    {
        KafkaErrorException { IsRetriable: false } fatal => new ProduceException(_topic, partition, fatal.ErrorCode, fatal.Message, fatal),
        KafkaErrorException last => new ProduceException(_topic, partition, last.ErrorCode,
            $"topic {_topic} has no partition metadata within the delivery timeout; the last error: {last.Message}", last),
        _ => new ProduceException(_topic, partition, ErrorCode.UnknownTopicOrPartition, $"topic {_topic} has no partition metadata within the delivery timeout"),
    };

    private int PickPartition(ref PendingRecord record, int count)
    {
        IPartitioner partitioner = _context.Options.Partitioner;
        int partition = partitioner.Partition(_topic, record.Key.Span, record.KeyIsNull, count);
        if ((uint)partition >= (uint)count)
            throw new InvalidOperationException($"{partitioner.GetType().Name} returned partition {partition} for topic {_topic}, which has {count} partitions.");
        if (record.KeyIsNull)
        {
            if (partition != _stickyPartition)
            {
                _stickyPartition = partition;
                _stickyBytes = 0;
            }
            _stickyBytes += record.Size;
            if (_stickyBytes >= _context.Options.BatchSize)
            {
                // KIP-480/794: a full batch's worth went to this partition; move on to another.
                partitioner.OnNewBatch(_topic, partition);
                _stickyPartition = -1;
            }
        }
        return partition;
    }

    /// <summary>The topic's partition count, from the cached metadata when it is current; 0 when none is known by the deadline.</summary>
    private async ValueTask<int> PartitionCountAsync(long deadline, CancellationToken shutdown)
    {
        if (KnownPartitionCount is int known) return known;

        for (int attempt = 0; ; attempt++)
        {
            try
            {
                TopicMetadata topic = await _context.Cluster.GetTopicAsync(_topic, shutdown).ConfigureAwait(false);
                if (topic.Error == ErrorCode.None && topic.Partitions.Count > 0)
                {
                    _metadataError = null;
                    _seenMetadata = _context.Cluster.Metadata;
                    if (topic.Partitions.Count != _partitions.Length)
                    {
                        Array.Resize(ref _partitions, topic.Partitions.Count);
                        Array.Resize(ref _filling, topic.Partitions.Count);
                    }
                    return topic.Partitions.Count;
                }
                if (topic.Error != ErrorCode.None)
                    throw new KafkaErrorException(topic.Error, $"Metadata for topic {_topic}", (string?)null);
            }
            catch (KafkaErrorException e) when (e.IsRetriable)
            {
                _metadataError = e;
                _context.Logger.LogDebug(e, "No metadata for topic {Topic} yet", _topic);
            }
            catch (KafkaErrorException e)
            {
                // INVALID_TOPIC_EXCEPTION, TOPIC_AUTHORIZATION_FAILED and the like: retrying cannot help.
                _metadataError = e;
                _context.Logger.LogWarning(e, "Topic {Topic} cannot be produced to", _topic);
                return 0;
            }

            TimeSpan wait = _context.Backoff.Delay(attempt);
            if (_context.Now + (long)wait.TotalMilliseconds > deadline) return _partitions.Length;
            await Task.Delay(wait, _context.Time, shutdown).ConfigureAwait(false);
        }
    }
}
