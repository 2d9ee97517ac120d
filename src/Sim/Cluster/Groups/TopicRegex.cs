using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace KafkaNative.Sim.Groups;

/// <summary>
/// Subscription regexes of consumer-protocol members. Kafka compiles them with RE2/J and matches whole topic names;
/// the Sim uses .NET's Regex (anchored, culture-invariant), which agrees with RE2/J on the common syntax (classes,
/// alternation, quantifiers) but also accepts constructs RE2/J refuses (backreferences, lookaround).
/// </summary>
internal static class TopicRegex
{
    private static readonly ConcurrentDictionary<string, Regex?> Cache = new(StringComparer.Ordinal);

    /// <summary>The compiled pattern, or null when it is not a valid regular expression.</summary>
    public static Regex? TryParse(string pattern) => Cache.GetOrAdd(pattern, p =>
    {
        try
        {
            return new Regex($"^(?:{p})$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException)
        {
            return null;
        }
    });
}
