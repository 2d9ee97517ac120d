namespace KafkaNative.Extensions.Hosting;

/// <summary>
/// What must run in order: the key's bytes for a keyed record (whatever its partition), the partition
/// for a record without a key, and the partition for a batch.
/// </summary>
internal readonly struct Lane : IEquatable<Lane>
{
    private readonly TopicPartition _partition;
    private readonly byte[]? _key;

    private Lane(TopicPartition partition, byte[]? key)
    {
        _partition = partition;
        _key = key;
    }

    public static Lane ForRecord(TopicPartition partition, byte[]? key) => key is null ? new(partition, null) : new(default, key);

    public static Lane ForPartition(TopicPartition partition) => new(partition, null);

    public bool Equals(Lane other) =>
        _partition == other._partition && (_key is null ? other._key is null : other._key is not null && _key.AsSpan().SequenceEqual(other._key));

    public override bool Equals(object? obj) => obj is Lane other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_partition);
        if (_key is not null) hash.AddBytes(_key);
        return hash.ToHashCode();
    }
}
