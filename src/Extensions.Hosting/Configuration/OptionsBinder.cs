using Microsoft.Extensions.Configuration;

namespace KafkaNative.Extensions.Hosting.Configuration;

/// <summary>
/// Binds a configuration section onto an options object through its <see cref="SettingTable{T}"/>.
/// Unlike the general-purpose binder it reads "30s" as well as "00:00:30", a list replaces the default
/// instead of appending to it, and every key it does not know is reported (a typo never goes unnoticed).
/// </summary>
internal static class OptionsBinder
{
    /// <summary>Sets what <paramref name="section"/> holds on <paramref name="target"/>; adds one message per problem to <paramref name="errors"/>, each naming the key's full path.</summary>
    public static void Bind<T>(IConfiguration section, T target, SettingTable<T> table, List<string> errors)
    {
        foreach (IConfigurationSection child in section.GetChildren())
        {
            if (table.IsSkipped(child.Key)) continue;
            bool hasChildren = child.GetChildren().Any();
            if (table.TryGetList(child.Key, out var setList))
            {
                // Items as Name:0, Name:1, ... or as one comma-separated value.
                IReadOnlyList<string> items = hasChildren
                    ? [.. child.GetChildren().OrderBy(c => int.TryParse(c.Key, out int i) ? i : int.MaxValue).Select(c => c.Value ?? "")]
                    : [.. (child.Value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                Report(child, setList(target, items), errors);
            }
            else if (table.TryGetSection(child.Key, out var bindSection))
            {
                bindSection(target, child, errors);
            }
            else if (table.TryGetScalar(child.Key, out var set))
            {
                if (hasChildren) errors.Add($"{child.Path} takes a single value, not a section.");
                else Report(child, set(target, child.Value ?? ""), errors);
            }
            else if (table.TryGetCodeOnly(child.Key, out string why))
            {
                errors.Add($"{child.Path} cannot be set from configuration: {why}");
            }
            else
            {
                errors.Add($"{child.Path} is not a setting of {typeof(T).Name}.");
            }
        }
    }

    private static void Report(IConfigurationSection key, string? problem, List<string> errors)
    {
        if (problem is not null) errors.Add($"{key.Path}: {problem}");
    }
}
