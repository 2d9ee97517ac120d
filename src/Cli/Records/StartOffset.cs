using System.Globalization;
using KafkaNative.Admin;

namespace KafkaNative.Cli.Records;

/// <summary>
/// Where <c>consume -o</c> starts, as kcat spells it: <c>beginning</c>, <c>end</c>, <c>stored</c> (the group's committed
/// offset), an absolute offset <c>N</c>, <c>-N</c> (N records before the end) or <c>@TIMESTAMP_MS</c> (the first record at
/// or after it).
/// </summary>
internal abstract record StartOffset
{
    public static StartOffset Parse(string text)
    {
        switch (text)
        {
            case "beginning": return new Special(TopicPartitionOffset.Beginning);
            case "end": return new Special(TopicPartitionOffset.End);
            case "stored": return new Special(TopicPartitionOffset.Unset);
        }
        if (text.StartsWith('@') && long.TryParse(text[1..], NumberStyles.None, CultureInfo.InvariantCulture, out long timestamp))
            return new AtTime(timestamp);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long offset))
            return offset >= 0 ? new Absolute(offset) : new FromEnd(-offset);
        throw new UsageException($"-o: expected beginning, end, stored, N, -N or @TIMESTAMP_MS, got '{text}'");
    }

    /// <summary>The offset to assign each partition from, asking the brokers when the spec depends on the log.</summary>
    public abstract Task<IReadOnlyList<TopicPartitionOffset>> ResolveAsync(KafkaAdminClient admin, IReadOnlyList<TopicPartition> partitions, CancellationToken ct);

    private sealed record Special(long Offset) : StartOffset
    {
        public override Task<IReadOnlyList<TopicPartitionOffset>> ResolveAsync(KafkaAdminClient admin, IReadOnlyList<TopicPartition> partitions, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<TopicPartitionOffset>>(partitions.Select(p => new TopicPartitionOffset(p, Offset)).ToList());
    }

    private sealed record Absolute(long Offset) : StartOffset
    {
        public override Task<IReadOnlyList<TopicPartitionOffset>> ResolveAsync(KafkaAdminClient admin, IReadOnlyList<TopicPartition> partitions, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<TopicPartitionOffset>>(partitions.Select(p => new TopicPartitionOffset(p, Offset)).ToList());
    }

    private sealed record FromEnd(long Count) : StartOffset
    {
        public override async Task<IReadOnlyList<TopicPartitionOffset>> ResolveAsync(KafkaAdminClient admin, IReadOnlyList<TopicPartition> partitions, CancellationToken ct)
        {
            var earliest = await admin.ListOffsetsAsync(partitions.ToDictionary(p => p, _ => OffsetSpec.Earliest), ct);
            var latest = await admin.ListOffsetsAsync(partitions.ToDictionary(p => p, _ => OffsetSpec.Latest), ct);
            return partitions.Select(p => new TopicPartitionOffset(p, Math.Max(earliest[p].Offset, latest[p].Offset - Count))).ToList();
        }
    }

    private sealed record AtTime(long TimestampMs) : StartOffset
    {
        public override async Task<IReadOnlyList<TopicPartitionOffset>> ResolveAsync(KafkaAdminClient admin, IReadOnlyList<TopicPartition> partitions, CancellationToken ct)
        {
            var found = await admin.ListOffsetsAsync(partitions.ToDictionary(p => p, _ => new OffsetSpec(TimestampMs)), ct);
            // No record at or after the time: start at the end, as kcat does.
            return partitions.Select(p => new TopicPartitionOffset(p, found[p].Offset >= 0 ? found[p].Offset : TopicPartitionOffset.End)).ToList();
        }
    }
}
