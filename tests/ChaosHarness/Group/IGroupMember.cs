namespace KafkaNative.Chaos;

/// <summary>One member of the chaos consumer group.</summary>
public interface IGroupMember : IAsyncDisposable
{
    /// <summary>The member's name in the consumption log.</summary>
    string Name { get; }

    /// <summary>Partitions the member holds now.</summary>
    int AssignedPartitions { get; }

    /// <summary>The partitions the member holds now, for failure messages.</summary>
    IReadOnlyList<int> HeldPartitions { get; }
}
