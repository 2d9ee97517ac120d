namespace KafkaNative.Bench;

/// <summary>"--name value" and "--flag" arguments, with clear errors for anything else.</summary>
internal sealed class BenchArguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public BenchArguments(string[] args, IReadOnlySet<string> flags)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{name}'.");
            if (flags.Contains(name)) _values[name] = null;
            else if (i + 1 < args.Length) _values[name] = args[++i];
            else throw new ArgumentException($"{name} needs a value.");
        }
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string Required(string name) =>
        _values.TryGetValue(name, out string? value) && value is not null ? value : throw new ArgumentException($"{name} is required.");

    public string Optional(string name, string fallback) => _values.TryGetValue(name, out string? value) && value is not null ? value : fallback;

    public long Number(string name, long fallback) =>
        !_values.TryGetValue(name, out string? value) || value is null ? fallback
        : long.TryParse(value, out long number) && number >= 0 ? number
        : throw new ArgumentException($"{name} must be a non-negative whole number, not '{value}'.");
}
