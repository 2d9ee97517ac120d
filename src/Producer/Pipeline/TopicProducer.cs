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
internal sealed class TopicProducer
{
    private readonly ProducerContext _context;
    private readonly string _topic;
    private PartitionProducer?[] _partitions = [];
    private ClusterMetadata? _seenMetadata;
    // Unkeyed bytes routed to the current sticky partition, to tell the partitioner its batch is full.
    private long _stickyBytes;
    private int _stickyPartition = -1;
    // Why the latest metadata lookup for the topic gave no partitions, for the records that fail on it.
    private KafkaErrorException? _metadataError;

    public TopicProducer(ProducerContext context, string topic)
    {
        _context = context;
        _topic = topic;
        Completion = Task.Run(RunAsync);
    }

    public Channel<RecordChunk> Input { get; } = Pipeline.ChunkChannel(singleWriter: true);

    /// <summary>The chunk the dispatcher is filling for this topic; touched by the dispatcher's task only.</summary>
    public RecordChunk? Filling { get; set; }

    /// <summary>Completes when the stage has stopped; never faults (see <see cref="Fault"/>).</summary>
    public Task Completion { get; }

    /// <summary>Why the stage stopped on its own, if it did; its owner replaces it.</summary>
    public KafkaException? Fault { get; private set; }

    private async Task RunAsync()
    {
        CancellationToken shutdown = _context.Shutdown.Token;
        var filled = new List<PartitionProducer>();
        try
        {
            while (await Input.Reader.WaitToReadAsync(shutdown).ConfigureAwait(false))
            {
                while (Input.Reader.TryRead(out RecordChunk? chunk))
                {
                    for (int i = 0; i < chunk.Count; i++)
                        await RouteAsync(chunk.Records[i], filled, shutdown).ConfigureAwait(false);
                    chunk.Return();
                }
                // Nothing more waiting: pass the partly filled chunks on.
                foreach (PartitionProducer partition in filled)
                    if (partition.Filling is not null) await SendAsync(partition, shutdown).ConfigureAwait(false);
                filled.Clear();
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Supervision: log, fail what is held with the cause, refuse new input; the dispatcher replaces the stage.
            _context.Logger.LogError(e, "The topic producer for {Topic} failed", _topic);
            Fault = new ProduceException(_topic, -1, ErrorCode.UnknownServerError, $"The topic producer failed: {e.Message}", e);
        }
        finally
        {
            Input.Writer.TryComplete();
            if (Fault is not null) Pipeline.FailAll(_context, Input.Reader, Fault);
            else Pipeline.FailAll(_context, Input.Reader, "the producer was closed");
            var started = _partitions.Where(p => p is not null).Select(p => p!).ToList();
            foreach (PartitionProducer partition in started)
            {
                if (partition.Filling is not null) Pipeline.FailAll(_context, partition.Filling, "the producer was closed");
                partition.Filling = null;
                partition.Input.Writer.TryComplete();
            }
            await Task.WhenAll(started.Select(p => p.Completion)).ConfigureAwait(false);
        }
    }

    private async ValueTask RouteAsync(PendingRecord record, List<PartitionProducer> filled, CancellationToken shutdown)
    {
        int count = await PartitionCountAsync(record.Deadline, shutdown).ConfigureAwait(false);
        if (count <= 0)
        {
            Pipeline.Fail(_context, ref record, NoMetadata(record.Partition));
            return;
        }
        if (record.Partition >= count)
        {
            Pipeline.Fail(_context, ref record, new ProduceException(_topic, record.Partition, ErrorCode.UnknownTopicOrPartition,
                $"topic {_topic} has {count} partitions; {record.Partition} is not one of them"));
            return;
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
                return;
            }
        }

        PartitionProducer? partition = _partitions[record.Partition];
        if (partition is null || partition.Completion.IsCompleted)
        {
            // First record for the partition, or its producer stopped on its own: supervision starts a new one.
            var replacement = new PartitionProducer(_context, _topic, record.Partition) { Filling = partition?.Filling };
            _partitions[record.Partition] = partition = replacement;
        }
        if (partition.Filling is null)
        {
            partition.Filling = RecordChunk.Rent();
            filled.Add(partition);
        }
        partition.Filling.Add(record);
        if (partition.Filling.IsFull) await SendAsync(partition, shutdown).ConfigureAwait(false);
    }

    private async ValueTask SendAsync(PartitionProducer partition, CancellationToken shutdown)
    {
        RecordChunk chunk = partition.Filling!;
        partition.Filling = null;
        if (await Pipeline.TrySendAsync(partition.Input.Writer, chunk, shutdown).ConfigureAwait(false)) return;
        // The partition producer stopped on its own (it logged why): these records fail with its cause,
        // and the next record for the partition starts a replacement.
        Pipeline.FailAll(_context, chunk, partition.Fault ?? Pipeline.Closed(_topic, partition.Partition, "the partition producer stopped"));
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
        Partitioning.IPartitioner partitioner = _context.Options.Partitioner;
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
        ClusterMetadata? metadata = _context.Cluster.Metadata;
        if (metadata is not null && ReferenceEquals(metadata, _seenMetadata) && _partitions.Length > 0) return _partitions.Length;

        for (int attempt = 0; ; attempt++)
        {
            try
            {
                TopicMetadata topic = await _context.Cluster.GetTopicAsync(_topic, shutdown).ConfigureAwait(false);
                if (topic.Error == ErrorCode.None && topic.Partitions.Count > 0)
                {
                    _metadataError = null;
                    _seenMetadata = _context.Cluster.Metadata;
                    if (topic.Partitions.Count != _partitions.Length) Array.Resize(ref _partitions, topic.Partitions.Count);
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
