namespace KafkaNative.Client;

/// <summary>Per-request overrides for a send.</summary>
/// <param name="MaxVersion">
/// Highest version to send, for callers that fill fields only some versions carry; null means the
/// highest version both sides support.
/// </param>
/// <param name="Timeout">
/// Request timeout for this request instead of <see cref="KafkaClientOptions.RequestTimeout"/>, for
/// requests the broker may hold on purpose (a Fetch with a long max wait); null means the default.
/// </param>
internal readonly record struct SendOptions(short? MaxVersion = null, TimeSpan? Timeout = null);
