namespace KafkaNative.Protocol.Primitives;

/// <summary>
/// A tagged field (KIP-482) that this version of the library does not know. Kept so that a
/// decoded message re-encodes to the same bytes.
/// </summary>
/// <param name="Tag">The field's tag.</param>
/// <param name="Data">The field's encoded bytes.</param>
public readonly record struct RawTaggedField(int Tag, ReadOnlyMemory<byte> Data);
