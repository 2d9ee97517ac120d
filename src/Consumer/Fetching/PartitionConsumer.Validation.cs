namespace KafkaNative.Consumer.Fetching;

/// <summary>What checking the position against a leader's epoch end (KIP-320) found.</summary>
internal enum ValidationOutcome
{
    /// <summary>The leader's log holds everything fetched: fetch on.</summary>
    Consistent,

    /// <summary>The position moved while the leader was asked: ask again.</summary>
    Stale,

    /// <summary>Only prefetched messages the application had not taken were truncated: they were dropped, fetching goes on from the position.</summary>
    Rewound,

    /// <summary>The application read truncated messages; the reset policy moved the position to the divergence offset.</summary>
    Truncated,

    /// <summary>The leader knows no end for the epoch; the reset policy applies (an offset reset is pending).</summary>
    ResetByPolicy,

    /// <summary>The application read truncated messages and the reset policy is Error: report it, fetch nothing until a seek.</summary>
    Failed,
}

/// <summary>
/// Position validation (KIP-320): the leader epoch of the last batch fetched and the leader epoch the partition
/// fetches at, and what to do with the end offset a leader gives for that epoch (from OffsetForLeaderEpoch after a
/// leader change, or a Fetch response's DivergingEpoch). As the Java client: an end offset below the position means
/// the log was truncated under it; with a reset policy the position moves to that end offset (the first offset known
/// to diverge), with none the application gets a <see cref="KafkaLogTruncationException"/>.
/// </summary>
internal abstract partial class PartitionConsumer
{
    private const int NoEpoch = -1;

    // The leader epoch of the last batch fetched before _fetchOffset, or -1 (after a reset or seek). Under _lock.
    private int _offsetEpoch = NoEpoch;

    // The leader epoch (from metadata) this partition fetches at, sent as CurrentLeaderEpoch; -1 before the first subscription.
    private int _leaderEpoch = NoEpoch;

    // The leader epoch of the last batch before _consumed (what commits carry), or -1. Under _lock.
    private int _consumedEpoch = NoEpoch;

    // The position came with an epoch (a committed offset): validate it before the first fetch. Under _lock.
    private bool _validatePending;

    /// <summary>
    /// The leader epoch of the last message before <paramref name="position"/> when that is this partition's position
    /// (OffsetCommit's CommittedLeaderEpoch, so that the next owner can validate it); -1 otherwise.
    /// </summary>
    public int LeaderEpochAt(long position)
    {
        lock (_lock) return position == _consumed ? _consumedEpoch : NoEpoch;
    }

    /// <summary>
    /// Whether the position needs validating before fetching from a leader at <paramref name="leaderEpoch"/>: the
    /// leader changed since the position was fetched or validated, and the epoch of the last batch fetched is known.
    /// Returns what to ask about.
    /// </summary>
    public bool NeedsValidation(int leaderEpoch, out long fetchOffset, out int offsetEpoch, out int version)
    {
        lock (_lock)
        {
            fetchOffset = _fetchOffset;
            offsetEpoch = _offsetEpoch;
            version = _version;
            return _offsetEpoch >= 0 && (_validatePending || _leaderEpoch >= 0 && leaderEpoch > _leaderEpoch);
        }
    }

    /// <summary>The partition is subscribed to a leader at <paramref name="leaderEpoch"/> (-1 when the metadata names none).</summary>
    public void SetLeaderEpoch(int leaderEpoch)
    {
        lock (_lock)
        {
            _leaderEpoch = leaderEpoch;
            _validatePending = false;
        }
    }

    /// <summary>
    /// Applies a leader's answer for the epoch of the last batch fetched before <paramref name="fetchOffset"/>: where
    /// <paramref name="epoch"/> (the largest the leader knows at most ours, or -1) ends, <paramref name="endOffset"/>.
    /// <paramref name="position"/> is the application's position then, for the report.
    /// </summary>
    public ValidationOutcome ApplyEpochEnd(int version, long fetchOffset, int epoch, long endOffset, out long position)
    {
        bool discard = false;
        ValidationOutcome outcome;
        lock (_lock)
        {
            position = _consumed;
            if (version != _version || fetchOffset != _fetchOffset || _resetTo != NoReset) return ValidationOutcome.Stale;
            bool hasPolicy = Context.Options.AutoOffsetReset != AutoOffsetReset.Error;
            long consumed = _consumed >= 0 ? _consumed : fetchOffset;
            if (epoch < 0 || endOffset < 0)
            {
                // As the Java client: no end known for our epoch; the reset policy decides, or the application does.
                if (!hasPolicy) return ValidationOutcome.Failed;
                _resetTo = TopicPartitionOffset.Unset;
                _version++;
                discard = true;
                outcome = ValidationOutcome.ResetByPolicy;
            }
            else if (endOffset >= fetchOffset)
            {
                // A newer epoch answered for ours: fetch with it, so Fetch's own divergence check agrees.
                _offsetEpoch = Math.Min(_offsetEpoch, epoch);
                return ValidationOutcome.Consistent;
            }
            else if (endOffset >= consumed)
            {
                _version++;
                _fetchOffset = consumed;
                _offsetEpoch = epoch;
                discard = true;
                outcome = ValidationOutcome.Rewound;
            }
            else if (!hasPolicy)
            {
                // Prefetched messages are all past the divergence: drop them; the position stays until the application seeks.
                _version++;
                _fetchOffset = consumed;
                discard = true;
                outcome = ValidationOutcome.Failed;
            }
            else
            {
                _version++;
                _fetchOffset = endOffset;
                _consumed = endOffset;
                _offsetEpoch = epoch;
                _consumedEpoch = epoch;
                discard = true;
                outcome = ValidationOutcome.Truncated;
            }
        }
        if (discard) DiscardBuffered();
        return outcome;
    }

    /// <summary>The exception for <see cref="ValidationOutcome.Failed"/>.</summary>
    public KafkaLogTruncationException TruncationError(long position, long endOffset) => new(TopicPartition, position, endOffset >= 0 ? endOffset : null,
        endOffset >= 0
            ? $"{TopicPartition}: the log was truncated below the position {position} (a new leader's log diverges from offset {endOffset}, messages read from there on are gone) and AutoOffsetReset is Error; Seek to continue."
            : $"{TopicPartition}: the new leader knows no end of the leader epoch of the messages read up to {position}, so the log may have been truncated, and AutoOffsetReset is Error; Seek to continue.");
}
