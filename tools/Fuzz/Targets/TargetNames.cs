using System.Text;

namespace KafkaNative.Fuzz.Targets;

internal static class TargetNames
{
    /// <summary>ListOffsets → list-offsets.</summary>
    public static string Kebab(string pascal)
    {
        var name = new StringBuilder();
        foreach (char c in pascal)
        {
            if (char.IsUpper(c) && name.Length > 0) name.Append('-');
            name.Append(char.ToLowerInvariant(c));
        }
        return name.ToString();
    }
}
