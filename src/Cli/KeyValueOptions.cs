namespace KafkaNative.Cli;

/// <summary>Parses repeatable <c>key=value</c> arguments (<c>--config</c>), rejecting malformed ones as usage errors.</summary>
internal static class KeyValueOptions
{
    public static Dictionary<string, string> Parse(string option, IEnumerable<string>? pairs)
    {
        var parsed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in pairs ?? [])
        {
            int equals = pair.IndexOf('=');
            if (equals <= 0) throw new UsageException($"{option} expects key=value, got '{pair}'");
            parsed[pair[..equals]] = pair[(equals + 1)..];
        }
        return parsed;
    }
}
