namespace KafkaNative.Cli;

/// <summary>Option values that name an enum member, case, dashes and underscores ignored (<c>transactional-id</c>, <c>prepare-commit</c>).</summary>
internal static class EnumOptions
{
    /// <summary>
    /// The member <paramref name="value"/> names, or <paramref name="absent"/> when it is null. Anything else is a usage
    /// error listing the choices: a number, or the enum's default member (its "unknown").
    /// </summary>
    public static T Parse<T>(string? value, T absent, string option) where T : struct, Enum
    {
        if (value is null) return absent;
        string name = value.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        return Enum.TryParse(name, ignoreCase: true, out T parsed) && !int.TryParse(name, out _) && !parsed.Equals(default(T))
            ? parsed
            : throw new UsageException($"{option}: '{value}' is not one of {string.Join(", ", Enum.GetNames<T>().Skip(1).Select(n => n.ToLowerInvariant()))}");
    }
}
