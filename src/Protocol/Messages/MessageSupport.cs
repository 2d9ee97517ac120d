using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Protocol.Messages;

/// <summary>Checks and tagged-field plumbing shared by the generated message classes.</summary>
internal static class MessageSupport
{
    public static void CheckVersion(short version, short lowest, short highest, string message)
    {
        if (version < lowest || version > highest)
            throw new UnsupportedVersionException($"{message} has versions {lowest} to {highest}; version {version} is not one of them.");
    }

    public static UnsupportedVersionException FieldNotSupported(string message, string field, short version) =>
        new($"{message} version {version} cannot carry {field}, which is set to a non-default value.");

    public static KafkaProtocolException NullField(string message, string field, short version) =>
        new($"{message}.{field} is null, but version {version} does not allow null", field);

    public static KafkaProtocolException NullInput(string message, string field, short version, int position) =>
        new($"{message} version {version} does not allow null, but the input has null", field, position);

    public static T NotNull<T>(T? value, string message, string field, short version) where T : class =>
        value ?? throw NullField(message, field, version);

    public static T NotNull<T>(T? value, string message, string field, short version) where T : struct =>
        value ?? throw NullField(message, field, version);

    public static int ReadTag(ref KafkaReader reader)
    {
        uint tag = reader.ReadUnsignedVarInt("tag");
        if (tag > int.MaxValue) throw reader.Error($"Tag {tag} is out of range", "tag");
        return (int)tag;
    }

    public static int ReadTagSize(ref KafkaReader reader)
    {
        uint size = reader.ReadUnsignedVarInt("tagged field size");
        if (size > (uint)reader.Remaining) throw reader.Error($"Tagged field size {size} exceeds the {reader.Remaining} bytes that remain", "tagged field size");
        return (int)size;
    }

    public static void WriteUnknownTaggedFields(ref KafkaWriter writer, List<RawTaggedField>? unknown)
    {
        writer.WriteUnsignedVarInt((uint)(unknown?.Count ?? 0));
        int index = 0;
        WriteUnknownTaggedFieldsBelow(ref writer, unknown, ref index, int.MaxValue);
    }

    /// <summary>Writes the unknown tagged fields whose tag is below <paramref name="tag"/>, keeping tags in ascending order.</summary>
    public static void WriteUnknownTaggedFieldsBelow(ref KafkaWriter writer, List<RawTaggedField>? unknown, ref int index, int tag)
    {
        if (unknown is null) return;
        for (; index < unknown.Count && unknown[index].Tag < tag; index++)
        {
            RawTaggedField field = unknown[index];
            writer.WriteUnsignedVarInt((uint)field.Tag);
            writer.WriteUnsignedVarInt((uint)field.Data.Length);
            writer.WriteRaw(field.Data.Span);
        }
    }
}
