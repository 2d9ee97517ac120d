using System.Collections.Concurrent;

namespace KafkaNative.Interop.Tests;

/// <summary>What every member of a mixed group consumed: which member, where, and the value, in arrival order.</summary>
internal sealed class GroupLedger
{
    private readonly ConcurrentQueue<(string Member, int Partition, long Offset, string Value)> _consumed = new();

    public void Add(string member, int partition, long offset, byte[]? value) =>
        _consumed.Enqueue((member, partition, offset, value is null ? "<null>" : System.Text.Encoding.UTF8.GetString(value)));

    public int Count => _consumed.Count;

    public IReadOnlyList<string> Values => _consumed.Select(c => c.Value).ToList();

    public IReadOnlyCollection<string> Members => _consumed.Select(c => c.Member).Distinct().ToList();

    /// <summary>How many records each member read, for the test output.</summary>
    public string Tally() => string.Join(", ", _consumed.GroupBy(c => c.Member).Select(g => $"{g.Key}: {g.Count()}"));

    /// <summary>Who read a value more than once, for the failure message.</summary>
    public string Duplicates() => string.Join("; ", _consumed.GroupBy(c => c.Value).Where(g => g.Count() > 1).Take(10)
        .Select(g => $"{g.Key} by {string.Join(",", g.Select(c => $"{c.Member}@p{c.Partition}/{c.Offset}"))}"));
}
