using KafkaNative.Protocol;
using KafkaNative.Sim.Log;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Sim.Replication;

/// <summary>
/// A broker's replicas and the replication protocol between brokers. Leaders push every appended
/// batch to followers that are in step; followers append, acknowledge with their log end, and ask to
/// catch up when they see a gap or start following. A catch-up starts where the follower's log
/// diverges from the leader's (found from leader epochs, as Kafka's OffsetsForLeaderEpoch does).
/// The high watermark is the smallest log end over the in-sync replicas. Runs on the broker actor.
/// </summary>
internal sealed class ReplicaManager(int brokerId, ClusterContext cluster, ILogger logger)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TopicAndPartition, PartitionReplica> _replicas = new();

    /// <summary>Raised when a partition's readable data or role changes, so waiting fetches re-check.</summary>
    public event Action? DataChanged;

    public PartitionReplica? Get(TopicAndPartition partition) => _replicas.GetValueOrDefault(partition);

    public IEnumerable<PartitionReplica> All => _replicas.Values;

    /// <summary>Forgets roles and waiters after the broker stopped; logs stay, as on disk.</summary>
    public void ResetAfterStop()
    {
        foreach (PartitionReplica replica in _replicas.Values)
        {
            replica.IsLeader = false;
            replica.LeaderId = -1;
            replica.LeaderEpoch = -1;
            replica.PartitionEpoch = -1;
            replica.Followers.Clear();
            replica.AckWaiters.Clear();
            FailMarkerWaiters(replica);
            replica.SyncRequestedAt = -1;
        }
    }

    // ---- controller messages ----

    public void OnLeaderAndIsr(LeaderAndIsr message)
    {
        PartitionReplica? replica = Get(message.Partition);
        if (replica is null || replica.TopicId != message.TopicId)
        {
            replica = new PartitionReplica(message.Partition, message.TopicId, message.Config);
            _replicas[message.Partition] = replica;
        }
        if (message.PartitionEpoch < replica.PartitionEpoch) return;
        replica.PartitionEpoch = message.PartitionEpoch;
        // The controller re-announces a partition when its topic's configuration changes.
        replica.Config = message.Config;
        replica.Replicas = message.Replicas;
        if (message.Leader == brokerId)
        {
            if (!replica.IsLeader || replica.LeaderEpoch != message.LeaderEpoch) BecomeLeader(replica, message.LeaderEpoch);
            replica.Isr = message.Isr;
            AdvanceHighWatermark(replica);
        }
        else
        {
            replica.Isr = message.Isr;
            if (replica.IsLeader || replica.LeaderEpoch < message.LeaderEpoch || replica.LeaderId != message.Leader)
                BecomeFollower(replica, message.Leader, message.LeaderEpoch);
        }
    }

    public void OnStopReplica(StopReplica message)
    {
        if (_replicas.TryRemove(message.Partition, out PartitionReplica? replica)) FailWaiters(replica, ErrorCode.UnknownTopicOrPartition);
        DataChanged?.Invoke();
    }

    // ---- leader side ----

    /// <summary>Appends a client batch (already validated) and pushes it to followers; returns where it went.</summary>
    public StoredBatch AppendAsLeader(PartitionReplica replica, ReadOnlySpan<byte> batch, in BatchHeader header)
    {
        StoredBatch stored = replica.Log.AppendAsLeader(batch, header, replica.LeaderEpoch);
        replica.Producers.Record(header, stored.BaseOffset, batch);
        foreach ((int followerId, FollowerProgress progress) in replica.Followers)
        {
            if (progress.NextPush != stored.BaseOffset) continue;
            var push = new ReplicaPush(replica.Partition, brokerId, replica.LeaderEpoch, null, [stored.Bytes], replica.HighWatermark, replica.Log.LogStartOffset);
            progress.NextPush = cluster.Send(followerId, push) ? stored.NextOffset : -1;
        }
        AdvanceHighWatermark(replica);
        return stored;
    }

    /// <summary>DeleteRecords: moves the log start on the leader and tells the followers.</summary>
    public void AdvanceLogStart(PartitionReplica replica, long offset)
    {
        replica.Log.AdvanceLogStart(offset);
        foreach ((int followerId, FollowerProgress progress) in replica.Followers)
        {
            if (progress.NextPush < 0) continue;
            cluster.Send(followerId, new ReplicaPush(replica.Partition, brokerId, replica.LeaderEpoch, null, [], replica.HighWatermark, offset));
        }
    }

    public void OnFollowerSync(FollowerSync message)
    {
        PartitionReplica? replica = Get(message.Partition);
        if (replica is null || !replica.IsLeader || message.LeaderEpoch != replica.LeaderEpoch) return;
        if (!replica.Followers.TryGetValue(message.FollowerId, out FollowerProgress? progress)) return;

        // Where the follower's last epoch ends here; an epoch this log does not know (none, or newer) shows no divergence.
        (_, long epochEnd) = replica.Log.EndOffsetForEpoch(message.LastBatchEpoch);
        long divergence = epochEnd < 0 ? message.LogEndOffset : epochEnd;
        long from = Math.Min(Math.Min(message.LogEndOffset, divergence), replica.Log.LogEndOffset);
        var batches = replica.Log.BatchesFrom(Math.Max(from, replica.Log.LogStartOffset));
        var push = new ReplicaPush(replica.Partition, brokerId, replica.LeaderEpoch, from,
            batches.Select(b => b.Bytes).ToList(), replica.HighWatermark, replica.Log.LogStartOffset);
        if (cluster.Send(message.FollowerId, push))
        {
            progress.NextPush = replica.Log.LogEndOffset;
            progress.LogEndOffset = Math.Min(progress.LogEndOffset, from);
        }
    }

    public void OnReplicaAck(ReplicaAck message)
    {
        PartitionReplica? replica = Get(message.Partition);
        if (replica is null || !replica.IsLeader || message.LeaderEpoch != replica.LeaderEpoch) return;
        if (!replica.Followers.TryGetValue(message.FollowerId, out FollowerProgress? progress)) return;
        progress.LogEndOffset = message.LogEndOffset;
        if (!replica.Isr.Contains(message.FollowerId) && message.LogEndOffset >= replica.Log.LogEndOffset)
        {
            if (cluster.Controller.ExpandIsr(replica.Partition, brokerId, replica.LeaderEpoch, message.FollowerId) is var (isr, partitionEpoch))
            {
                replica.Isr = isr;
                replica.PartitionEpoch = Math.Max(replica.PartitionEpoch, partitionEpoch);
            }
        }
        AdvanceHighWatermark(replica);
    }

    /// <summary>Raises the high watermark to the smallest log end of the in-sync replicas and releases waiting produces.</summary>
    public void AdvanceHighWatermark(PartitionReplica replica)
    {
        if (!replica.IsLeader) return;
        long candidate = replica.Log.LogEndOffset;
        foreach (int member in replica.Isr)
        {
            if (member == brokerId) continue;
            long followerEnd = replica.Followers.TryGetValue(member, out FollowerProgress? progress) ? progress.LogEndOffset : -1;
            candidate = Math.Min(candidate, followerEnd);
        }
        if (candidate <= replica.HighWatermark) return;
        replica.HighWatermark = candidate;
        for (int i = replica.AckWaiters.Count - 1; i >= 0; i--)
        {
            AckWaiter waiter = replica.AckWaiters[i];
            if (waiter.RequiredOffset > candidate && !waiter.Produce.IsCompleted) continue;
            replica.AckWaiters.RemoveAt(i);
            if (!waiter.Produce.IsCompleted) waiter.Produce.Settle(waiter.Result);
        }
        replica.MarkerWaiters.RemoveAll(marker =>
        {
            if (marker.RequiredOffset > candidate) return false;
            marker.Done.TrySetResult(ErrorCode.None);
            return true;
        });
        DataChanged?.Invoke();
    }

    // ---- follower side ----

    public void OnReplicaPush(ReplicaPush message)
    {
        PartitionReplica? replica = Get(message.Partition);
        if (replica is null || message.LeaderEpoch < replica.LeaderEpoch) return;
        if (replica.IsLeader || message.LeaderEpoch > replica.LeaderEpoch || replica.LeaderId != message.LeaderId)
        {
            // A newer leader's data can arrive before the controller's word: follow it.
            BecomeFollower(replica, message.LeaderId, message.LeaderEpoch, requestSync: false);
        }
        PartitionLog log = replica.Log;
        bool changed = false;
        if (message.TruncateTo is long truncateTo && truncateTo < log.LogEndOffset)
        {
            log.TruncateTo(truncateTo);
            replica.Producers.Rebuild(log.BatchesFrom(log.LogStartOffset));
            changed = true;
        }
        if (message.LeaderLogStart > log.LogStartOffset)
        {
            log.AdvanceLogStart(message.LeaderLogStart);
            changed = true;
        }
        foreach (ReadOnlyMemory<byte> batch in message.Batches)
        {
            if (!BatchHeader.TryRead(batch.Span, out BatchHeader header)) break;
            if (header.BaseOffset < log.LogEndOffset && header.LastOffset >= log.LogEndOffset && log.IsEmpty)
            {
                log.AppendAsFollower(batch.Span, header); // the first batch straddles the leader's log start
            }
            else if (header.BaseOffset < log.LogEndOffset)
            {
                if (log.HasSameBatch(header, batch.Length)) continue;
                log.TruncateTo(header.BaseOffset);
                replica.Producers.Rebuild(log.BatchesFrom(log.LogStartOffset));
                log.AppendAsFollower(batch.Span, header);
            }
            else if (header.BaseOffset == log.LogEndOffset)
            {
                log.AppendAsFollower(batch.Span, header);
            }
            else
            {
                // Pushes were lost while this broker was away: ask once for everything from here.
                if (replica.SyncRequestedAt != log.LogEndOffset) RequestSync(replica);
                break;
            }
            replica.Producers.Record(header, header.BaseOffset, batch.Span);
            replica.SyncRequestedAt = -1;
            changed = true;
        }
        replica.HighWatermark = Math.Min(Math.Max(replica.HighWatermark, message.LeaderHighWatermark), log.LogEndOffset);
        if (changed || message.TruncateTo is not null)
            cluster.Send(replica.LeaderId, new ReplicaAck(replica.Partition, brokerId, replica.LeaderEpoch, log.LogEndOffset));
    }

    // ---- roles ----

    private void BecomeLeader(PartitionReplica replica, int leaderEpoch)
    {
        replica.IsLeader = true;
        replica.LeaderId = brokerId;
        replica.LeaderEpoch = leaderEpoch;
        replica.EpochStartOffset = replica.Log.LogEndOffset;
        replica.Log.AssignEpoch(leaderEpoch);
        replica.Followers.Clear();
        foreach (int follower in replica.Replicas)
        {
            if (follower != brokerId) replica.Followers[follower] = new FollowerProgress();
        }
        // Followers learn nothing of this broker's own high watermark: it can only be as far as the log.
        replica.HighWatermark = Math.Min(replica.HighWatermark, replica.Log.LogEndOffset);
        logger.LogDebug("Broker {Broker} leads {Partition} at epoch {Epoch} from offset {Offset}", brokerId, replica.Partition, leaderEpoch, replica.EpochStartOffset);
        DataChanged?.Invoke();
    }

    private void BecomeFollower(PartitionReplica replica, int leaderId, int leaderEpoch, bool requestSync = true)
    {
        bool wasLeader = replica.IsLeader;
        replica.IsLeader = false;
        replica.LeaderId = leaderId;
        replica.LeaderEpoch = leaderEpoch;
        replica.Followers.Clear();
        if (wasLeader) FailWaiters(replica, ErrorCode.NotLeaderOrFollower);
        if (requestSync && leaderId >= 0) RequestSync(replica);
        DataChanged?.Invoke();
    }

    private void RequestSync(PartitionReplica replica)
    {
        replica.SyncRequestedAt = replica.Log.LogEndOffset;
        cluster.Send(replica.LeaderId, new FollowerSync(replica.Partition, brokerId, replica.LeaderEpoch, replica.Log.LogEndOffset, replica.Log.LastEpoch));
    }

    private static void FailWaiters(PartitionReplica replica, ErrorCode error)
    {
        foreach (AckWaiter waiter in replica.AckWaiters)
        {
            if (waiter.Produce.IsCompleted) continue;
            waiter.Result.ErrorCode = (short)error;
            waiter.Produce.Settle(waiter.Result);
        }
        replica.AckWaiters.Clear();
        FailMarkerWaiters(replica);
    }

    /// <summary>The coordinator sends these markers again, to whichever broker leads next.</summary>
    private static void FailMarkerWaiters(PartitionReplica replica)
    {
        foreach ((_, TaskCompletionSource<ErrorCode> done) in replica.MarkerWaiters) done.TrySetResult(ErrorCode.NotLeaderOrFollower);
        replica.MarkerWaiters.Clear();
    }
}
