using KafkaNative.Client;
using KafkaNative.Protocol;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Consumer.Fetching;

/// <summary>
/// Sarama's <c>partitionConsumer.dispatcher()</c>: each time it is triggered it resolves a pending
/// offset reset (ListOffsets), finds the partition's leader and subscribes the partition to that
/// broker's <see cref="BrokerConsumer"/>, moving its reference from the previous one. A broker
/// consumer that drops the partition (leader error, failed fetch, slow application) triggers it again.
/// A topic missing for longer than <see cref="ConsumerOptions.TopicMetadataPropagationMax"/> is reported
/// to the application once, and looked for again until it exists.
/// </summary>
internal sealed class PartitionDispatcher(PartitionConsumer partition) : SupervisedLoop
{
    private readonly ILogger _logger = partition.Context.LoggerFactory.CreateLogger<PartitionDispatcher>();
    private long _missingSince;
    // Error triggers in a row: each waits longer, until a trigger comes for another reason.
    private int _failures;
    private bool _missingReported;

    protected override async Task RunAsync(CancellationToken stop)
    {
        ConsumerContext context = partition.Context;
        while (await partition.Triggers.WaitToReadAsync(stop).ConfigureAwait(false))
        {
            partition.Triggers.TryRead(out _);
            if (partition.IsStopped) return;
            long reset = partition.PendingReset;
            if (partition.SubscribedTo is not null && reset == 0) continue;
            if (partition.NeedsBackoff)
            {
                partition.NeedsBackoff = false;
                await Task.Delay(context.Backoff.Delay(_failures++), context.Time, stop).ConfigureAwait(false);
            }
            else _failures = 0;
            try
            {
                await DispatchAsync(reset, stop).ConfigureAwait(false);
                _missingSince = 0;
                _missingReported = false;
            }
            catch (KafkaConsumeException error)
            {
                // Not recoverable here (reset policy "error", authorization): the application hears of it; a Seek retries.
                await partition.ReportErrorAsync(error, stop).ConfigureAwait(false);
            }
            catch (Exception error) when (error is KafkaErrorException or KafkaException or TimeoutException)
            {
                ConsumerLog.DispatchFailed(_logger, error, partition.TopicPartition);
                context.ReportIfUnreachable(error);
                if (error is KafkaErrorException { ErrorCode: ErrorCode.UnknownTopicOrPartition }) await OnMissingAsync(stop).ConfigureAwait(false);
                else if (error is KafkaErrorException { IsRetriable: false } fatal)
                {
                    await partition.ReportErrorAsync(new KafkaConsumeException(fatal.ErrorCode, partition.TopicPartition, $"{partition.TopicPartition}: {fatal.Message}", fatal), stop).ConfigureAwait(false);
                }
                partition.NeedsMetadataRefresh = true;
                partition.NeedsBackoff = true;
                partition.Trigger();
            }
        }
    }

    protected override void LogFault(Exception fault) => ConsumerLog.LoopFailed(_logger, fault, "dispatch", partition.TopicPartition.ToString());

    protected override async ValueTask OnStoppedAsync()
    {
        if (Fault is not null) await partition.OnLoopFaultedAsync("dispatch", Fault).ConfigureAwait(false);
    }

    private async Task OnMissingAsync(CancellationToken cancellationToken)
    {
        TimeProvider time = partition.Context.Time;
        if (_missingSince == 0) _missingSince = time.GetTimestamp();
        TimeSpan missing = time.GetElapsedTime(_missingSince);
        if (_missingReported || missing < partition.Context.Options.TopicMetadataPropagationMax) return;
        _missingReported = true;
        await partition.ReportErrorAsync(new KafkaConsumeException(ErrorCode.UnknownTopicOrPartition, partition.TopicPartition,
            $"{partition.TopicPartition} does not exist (for {missing.TotalSeconds:0.#} s now); it is read once it is created."), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// KIP-320: after a leader change, asks the new leader where the epoch of the last batch fetched ends before
    /// fetching from it (one OffsetForLeaderEpoch per change), and handles a truncation under the position: the reset
    /// policy moves the position to the divergence offset, or the application gets a <see cref="KafkaLogTruncationException"/>.
    /// False when the dispatch must start over (the position moved meanwhile, or an offset reset is now pending).
    /// </summary>
    private async Task<bool> ValidateAsync(PartitionMetadata metadata, CancellationToken cancellationToken)
    {
        if (!partition.NeedsValidation(metadata.LeaderEpoch, out long fetchOffset, out int offsetEpoch, out int version)) return true;
        (int Epoch, long EndOffset)? end = await EpochEndLookup.AskAsync(partition.Context, partition.TopicPartition, metadata.LeaderId, metadata.LeaderEpoch, offsetEpoch, cancellationToken).ConfigureAwait(false);
        if (end is not var (epoch, endOffset)) return true;
        return ApplyEpochEnd(_logger, partition, version, fetchOffset, epoch, endOffset);
    }

    /// <summary>
    /// Acts on a leader's end offset for the partition's last fetched epoch (from OffsetForLeaderEpoch or a Fetch
    /// response's DivergingEpoch); true when fetching may go on at once from the partition's (possibly new) position.
    /// </summary>
    /// <exception cref="KafkaLogTruncationException">The log was truncated under the position and the reset policy is Error.</exception>
    internal static bool ApplyEpochEnd(ILogger logger, PartitionConsumer partition, int version, long fetchOffset, int epoch, long endOffset)
    {
        switch (partition.ApplyEpochEnd(version, fetchOffset, epoch, endOffset, out long position))
        {
            case ValidationOutcome.Consistent:
                ConsumerLog.PositionValidated(logger, partition.TopicPartition, fetchOffset, epoch, endOffset);
                return true;
            case ValidationOutcome.Rewound:
                ConsumerLog.PrefetchTruncated(logger, partition.TopicPartition, fetchOffset, endOffset, position);
                return true;
            case ValidationOutcome.Truncated:
                ConsumerLog.LogTruncated(logger, partition.TopicPartition, position, endOffset);
                return true;
            case ValidationOutcome.ResetByPolicy:
                ConsumerLog.EpochEndUnknown(logger, partition.TopicPartition, position, partition.Context.Options.AutoOffsetReset.ToString());
                partition.Trigger();
                return false;
            case ValidationOutcome.Failed:
                throw partition.TruncationError(position, endOffset);
            default:
                partition.Trigger();
                return false;
        }
    }

    private async Task DispatchAsync(long reset, CancellationToken cancellationToken)
    {
        ConsumerContext context = partition.Context;
        // First, so that an offset reset which failed on a stale leader (NOT_LEADER_OR_FOLLOWER from
        // ListOffsets, its broker crashed) asks the new leader, not the old one for ever.
        if (partition.NeedsMetadataRefresh)
        {
            partition.NeedsMetadataRefresh = false;
            await context.Cluster.RefreshMetadataAsync(cancellationToken).ConfigureAwait(false);
        }
        if (reset != 0)
        {
            (long offset, int epoch) = await OffsetResolver.ResolveResetAsync(context, partition.TopicPartition, reset, cancellationToken).ConfigureAwait(false);
            partition.CompleteReset(reset, offset, epoch);
            if (partition.SubscribedTo is { } current)
            {
                current.Wake();
                return;
            }
        }
        TopicMetadata topic = await context.Cluster.GetTopicAsync(partition.Topic, cancellationToken).ConfigureAwait(false);
        if (topic.Error != ErrorCode.None)
            throw new KafkaErrorException(topic.Error, $"Metadata for {partition.Topic}", (string?)null);
        PartitionMetadata? metadata = topic.Partitions.FirstOrDefault(p => p.Partition == partition.Partition);
        if (metadata is null)
            throw new KafkaErrorException(ErrorCode.UnknownTopicOrPartition, $"{partition.TopicPartition} is not in the metadata", (string?)null);
        if (metadata.LeaderId < 0)
            throw new KafkaErrorException(ErrorCode.LeaderNotAvailable, $"{partition.TopicPartition} has no leader", (string?)null);

        BrokerConsumer broker = context.Registry.Acquire(metadata.LeaderId);
        if (partition.Broker is { } previous) context.Registry.Release(previous);
        partition.Broker = broker;
        // After moving the reference, so the old leader's broker consumer (and its fetch session) goes without waiting for the validation.
        if (!await ValidateAsync(metadata, cancellationToken).ConfigureAwait(false)) return;
        partition.SetLeaderEpoch(metadata.LeaderEpoch);
        partition.MarkSubscribed(broker);
        partition.TryGetFetchPosition(out long position, out _);
        ConsumerLog.Subscribed(_logger, partition.TopicPartition, metadata.LeaderId, position);
        await broker.SubscribeAsync(partition, cancellationToken).ConfigureAwait(false);
    }
}
