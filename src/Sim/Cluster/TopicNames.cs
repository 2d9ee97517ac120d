namespace KafkaNative.Sim;

/// <summary>Kafka's rules for topic names: 1 to 249 characters of ASCII letters, digits, '.', '_' and '-', and not "." or "..".</summary>
internal static class TopicNames
{
    public const int MaxLength = 249;

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxLength && name is not "." and not ".." &&
        name.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-');

    /// <summary>
    /// Kafka refuses a topic whose name differs from an existing one only by '.' versus '_': both map to
    /// the same metric names (the controller answers INVALID_TOPIC_EXCEPTION, "collides with existing topic").
    /// </summary>
    public static bool Collide(string a, string b) => a != b && a.Replace('.', '_') == b.Replace('.', '_');
}
