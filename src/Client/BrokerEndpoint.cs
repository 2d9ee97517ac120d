using System.Globalization;

namespace KafkaNative;

/// <summary>A broker's network address.</summary>
/// <param name="Host">Host name or IP address.</param>
/// <param name="Port">TCP port.</param>
public readonly record struct BrokerEndpoint(string Host, int Port)
{
    /// <summary>Formats as <c>host:port</c> (IPv6 addresses in brackets).</summary>
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>Parses <c>host:port</c> or <c>[ipv6]:port</c>.</summary>
    /// <exception cref="ArgumentException">The text is not a host and a port between 1 and 65535.</exception>
    public static BrokerEndpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        int colon = trimmed.LastIndexOf(':');
        if (colon <= 0 || colon == trimmed.Length - 1)
            throw new ArgumentException($"'{trimmed}' is not host:port.", nameof(text));
        string host = trimmed[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (host.Length == 0)
            throw new ArgumentException($"'{trimmed}' has no host.", nameof(text));
        if (!int.TryParse(trimmed.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            throw new ArgumentException($"'{trimmed}' does not end in a port between 1 and 65535.", nameof(text));
        return new BrokerEndpoint(host, port);
    }

    /// <summary>Parses a comma-separated list of endpoints, ignoring empty entries.</summary>
    /// <exception cref="ArgumentException">An entry is malformed or the list is empty.</exception>
    public static IReadOnlyList<BrokerEndpoint> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<BrokerEndpoint>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            result.Add(Parse(part));
        if (result.Count == 0) throw new ArgumentException("The server list is empty.", nameof(text));
        return result;
    }
}
