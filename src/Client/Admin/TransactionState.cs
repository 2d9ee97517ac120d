using System.Collections.Frozen;

namespace KafkaNative.Admin;

/// <summary>
/// Where a transactional id's current transaction stands, as its coordinator reports it (KIP-664). The names are
/// Kafka's own wire names (<c>Ongoing</c>, <c>PrepareCommit</c>…).
/// </summary>
public enum TransactionState
{
    /// <summary>A state this client does not know (a newer broker's), or none.</summary>
    Unknown = 0,

    /// <summary>The producer is initialised and no transaction is open.</summary>
    Empty,

    /// <summary>A transaction is open: partitions or a group's offsets were added to it.</summary>
    Ongoing,

    /// <summary>The producer asked to commit; the coordinator is writing the commit markers.</summary>
    PrepareCommit,

    /// <summary>The producer (or the coordinator, on timeout or fencing) asked to abort; the abort markers are being written.</summary>
    PrepareAbort,

    /// <summary>The last transaction committed: every marker is written.</summary>
    CompleteCommit,

    /// <summary>The last transaction aborted: every marker is written.</summary>
    CompleteAbort,

    /// <summary>The transactional id expired and its state is being removed.</summary>
    Dead,

    /// <summary>The coordinator is fencing the producer by bumping its epoch before aborting its transaction.</summary>
    PrepareEpochFence,
}

/// <summary>Reads and writes <see cref="TransactionState"/> as Kafka spells it on the wire.</summary>
internal static class TransactionStates
{
    private static readonly FrozenDictionary<string, TransactionState> ByName = Enum.GetValues<TransactionState>()
        .Where(s => s != TransactionState.Unknown)
        .ToFrozenDictionary(s => s.ToString(), StringComparer.Ordinal);

    /// <summary>The state a coordinator named; <see cref="TransactionState.Unknown"/> for a name this client does not know.</summary>
    public static TransactionState Parse(string name) => ByName.GetValueOrDefault(name, TransactionState.Unknown);

    /// <summary>The name Kafka uses on the wire (the enum names are Kafka's).</summary>
    public static string WireName(TransactionState state) => state.ToString();
}
