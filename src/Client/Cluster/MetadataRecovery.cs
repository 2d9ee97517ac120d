namespace KafkaNative.Client;

/// <summary>
/// When a metadata refresh goes back to the bootstrap servers (<see cref="MetadataRecoveryStrategy.Rebootstrap"/>;
/// KIP-899, KIP-1102): metadata wanted for <see cref="KafkaClientOptions.MetadataRecoveryRebootstrapTrigger"/> without
/// a broker answering (counted, as the Java client counts it, from the first attempt since the last success, so a
/// healthy client's periodic refresh never triggers it), or a broker answered REBOOTSTRAP_REQUIRED. (The third cause,
/// every known broker failing, needs no state: a refresh tries the bootstrap servers after the known brokers.)
/// </summary>
internal sealed class MetadataRecovery(KafkaClientOptions options)
{
    private readonly Lock _lock = new();
    private long? _wantedSince;
    private bool _required;

    /// <summary>True unless the strategy is <see cref="MetadataRecoveryStrategy.None"/>.</summary>
    public bool Enabled => options.MetadataRecoveryStrategy == MetadataRecoveryStrategy.Rebootstrap;

    /// <summary>A refresh starts: the trigger counts from the first one since the last success.</summary>
    public void OnAttempt()
    {
        lock (_lock) _wantedSince ??= options.TimeProvider.GetTimestamp();
    }

    /// <summary>Metadata arrived: nothing is due any more.</summary>
    public void OnSuccess()
    {
        lock (_lock)
        {
            _wantedSince = null;
            _required = false;
        }
    }

    /// <summary>A broker answered REBOOTSTRAP_REQUIRED.</summary>
    public void Require()
    {
        lock (_lock) _required = true;
    }

    /// <summary>True when a refresh must start from the bootstrap servers; <paramref name="reason"/> says why.</summary>
    public bool IsDue(out string reason)
    {
        reason = "";
        if (!Enabled) return false;
        lock (_lock)
        {
            if (_required)
            {
                reason = "a broker answered REBOOTSTRAP_REQUIRED";
                return true;
            }
            if (_wantedSince is not { } since) return false;
            TimeSpan waited = options.TimeProvider.GetElapsedTime(since);
            if (waited < options.MetadataRecoveryRebootstrapTrigger) return false;
            reason = $"no metadata for {waited.TotalSeconds:0.#} s (MetadataRecoveryRebootstrapTrigger {options.MetadataRecoveryRebootstrapTrigger.TotalSeconds:0.#} s)";
            return true;
        }
    }

    /// <summary>How long a known broker may keep a refresh waiting before the trigger passes; null when it cannot pass.</summary>
    public TimeSpan? UntilTrigger()
    {
        if (!Enabled) return null;
        lock (_lock)
        {
            if (_wantedSince is not { } since) return null;
            TimeSpan left = options.MetadataRecoveryRebootstrapTrigger - options.TimeProvider.GetElapsedTime(since);
            return left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
        }
    }
}
