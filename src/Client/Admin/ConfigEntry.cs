namespace KafkaNative.Admin;

/// <summary>One configuration value as the broker describes it.</summary>
/// <param name="Name">The configuration key.</param>
/// <param name="Value">The value; null for sensitive values and values that are not set.</param>
/// <param name="IsReadOnly">True when it cannot be changed dynamically.</param>
/// <param name="IsDefault">True when no override is set.</param>
/// <param name="IsSensitive">True for passwords and the like; the broker hides their values.</param>
public sealed record ConfigEntry(string Name, string? Value, bool IsReadOnly, bool IsDefault, bool IsSensitive);
