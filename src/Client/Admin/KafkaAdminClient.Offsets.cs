using KafkaNative.Client;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol;

namespace KafkaNative.Admin;

// Partition offsets, routed to each partition's leader: look up and trim.
public sealed partial class KafkaAdminClient
{
    /// <summary>Looks up offsets (earliest, latest, or by timestamp) on each partition's leader.</summary>
    /// <param name="partitions">What to look up for each partition.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">A partition's lookup failed even after retrying on its new leader.</exception>
    public Task<IReadOnlyDictionary<TopicPartition, ListedOffset>> ListOffsetsAsync(IReadOnlyDictionary<TopicPartition, OffsetSpec> partitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        return PerLeaderAsync<OffsetSpec, ListedOffset>("ListOffsets", partitions, async (broker, items, ct) =>
        {
            var request = new ListOffsetsRequest { ReplicaId = Sentinels.ClientReplicaId, TimeoutMs = (int)BrokerTimeout.TotalMilliseconds };
            foreach (IGrouping<string, KeyValuePair<TopicPartition, OffsetSpec>> topic in items.GroupBy(i => i.Key.Topic))
            {
                request.Topics.Add(new ListOffsetsRequest.ListOffsetsTopic
                {
                    Name = topic.Key,
                    Partitions = topic.Select(p => new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = p.Key.Partition, Timestamp = p.Value.Timestamp }).ToList(),
                });
            }
            ListOffsetsResponse response = await broker.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(request, ct).ConfigureAwait(false);
            return response.Topics.SelectMany(t => t.Partitions.Select(p => (
                new TopicPartition(t.Name, p.PartitionIndex),
                (ErrorCode)p.ErrorCode,
                new ListedOffset(p.Offset >= 0 || p.OldStyleOffsets.Count == 0 ? p.Offset : p.OldStyleOffsets[0], p.Timestamp, p.LeaderEpoch)))).ToList();
        }, cancellationToken);
    }

    /// <summary>Deletes records before the given offsets (-1: up to the high watermark) and returns the new low watermarks.</summary>
    /// <param name="beforeOffsets">For each partition, the first offset to keep.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">A partition's deletion failed even after retrying on its new leader.</exception>
    public Task<IReadOnlyDictionary<TopicPartition, long>> DeleteRecordsAsync(IReadOnlyDictionary<TopicPartition, long> beforeOffsets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(beforeOffsets);
        return PerLeaderAsync<long, long>("DeleteRecords", beforeOffsets, async (broker, items, ct) =>
        {
            var request = new DeleteRecordsRequest { TimeoutMs = (int)BrokerTimeout.TotalMilliseconds };
            foreach (IGrouping<string, KeyValuePair<TopicPartition, long>> topic in items.GroupBy(i => i.Key.Topic))
            {
                request.Topics.Add(new DeleteRecordsRequest.DeleteRecordsTopic
                {
                    Name = topic.Key,
                    Partitions = topic.Select(p => new DeleteRecordsRequest.DeleteRecordsPartition { PartitionIndex = p.Key.Partition, Offset = p.Value }).ToList(),
                });
            }
            DeleteRecordsResponse response = await broker.SendAsync<DeleteRecordsRequest, DeleteRecordsResponse>(request, ct).ConfigureAwait(false);
            return response.Topics.SelectMany(t => t.Partitions.Select(p =>
                (new TopicPartition(t.Name, p.PartitionIndex), (ErrorCode)p.ErrorCode, p.LowWatermark))).ToList();
        }, cancellationToken);
    }

    /// <summary>
    /// Sends per-partition work to each partition's leader. Partitions whose leader moved (or whose
    /// leader could not be reached) are retried on the new leader after a metadata refresh.
    /// </summary>
    private async Task<IReadOnlyDictionary<TopicPartition, TResult>> PerLeaderAsync<TInput, TResult>(
        string operation,
        IReadOnlyDictionary<TopicPartition, TInput> input,
        Func<KafkaBroker, List<KeyValuePair<TopicPartition, TInput>>, CancellationToken, Task<List<(TopicPartition Partition, ErrorCode Error, TResult Result)>>> send,
        CancellationToken cancellationToken)
    {
        var results = new Dictionary<TopicPartition, TResult>();
        var failures = new List<(string, short, string?)>();
        List<KeyValuePair<TopicPartition, TInput>> pending = input.ToList();
        for (int attempt = 1; pending.Count > 0; attempt++)
        {
            bool last = attempt == MaxAttempts;
            var retry = new List<KeyValuePair<TopicPartition, TInput>>();
            var byLeader = new Dictionary<int, List<KeyValuePair<TopicPartition, TInput>>>();
            foreach (KeyValuePair<TopicPartition, TInput> item in pending)
            {
                TopicMetadata topic = await _cluster.GetTopicAsync(item.Key.Topic, cancellationToken).ConfigureAwait(false);
                PartitionMetadata? partition = topic.Partitions.FirstOrDefault(p => p.Partition == item.Key.Partition);
                ErrorCode error = topic.Error != ErrorCode.None ? topic.Error : partition is null ? ErrorCode.UnknownTopicOrPartition : partition.LeaderId < 0 ? ErrorCode.LeaderNotAvailable : ErrorCode.None;
                if (error == ErrorCode.None)
                {
                    if (!byLeader.TryGetValue(partition!.LeaderId, out var list)) byLeader[partition.LeaderId] = list = new();
                    list.Add(item);
                }
                else if (!last && error.IsRetriable()) retry.Add(item);
                else failures.Add((item.Key.ToString(), (short)error, null));
            }

            foreach ((int leader, List<KeyValuePair<TopicPartition, TInput>> items) in byLeader)
            {
                List<(TopicPartition Partition, ErrorCode Error, TResult Result)> answers;
                try
                {
                    KafkaBroker broker = await BrokerAsync(leader, cancellationToken).ConfigureAwait(false);
                    answers = await send(broker, items, cancellationToken).ConfigureAwait(false);
                }
                catch (KafkaErrorException exception) when (!last && exception.IsRetriable)
                {
                    retry.AddRange(items);
                    continue;
                }
                foreach ((TopicPartition partition, ErrorCode error, TResult result) in answers)
                {
                    if (error == ErrorCode.None) results[partition] = result;
                    else if (!last && KafkaCluster.IsStaleMetadataError(error)) retry.Add(items.First(i => i.Key == partition));
                    else failures.Add((partition.ToString(), (short)error, null));
                }
            }

            pending = retry;
            if (pending.Count > 0) await _cluster.RefreshMetadataAsync(cancellationToken).ConfigureAwait(false);
        }
        ThrowIfAnyFailed(operation, failures);
        return results;
    }
}
