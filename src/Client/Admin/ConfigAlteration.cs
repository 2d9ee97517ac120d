namespace KafkaNative.Admin;

/// <summary>How an alteration changes a configuration (values as on the wire).</summary>
public enum AlterConfigOperation : sbyte
{
    /// <summary>Set the value.</summary>
    Set = 0,

    /// <summary>Remove the override, reverting to the default.</summary>
    Delete = 1,

    /// <summary>Add to a list value.</summary>
    Append = 2,

    /// <summary>Remove from a list value.</summary>
    Subtract = 3,
}

/// <summary>A change to one configuration key (incremental: keys not mentioned keep their values).</summary>
/// <param name="Name">The configuration key.</param>
/// <param name="Value">The value for Set, Append and Subtract; ignored for Delete.</param>
/// <param name="Operation">What to do.</param>
public sealed record ConfigAlteration(string Name, string? Value, AlterConfigOperation Operation = AlterConfigOperation.Set);
