using System.Globalization;
using System.Text.Json;

namespace KafkaNative.ProtocolGen;

/// <summary>An inclusive version range from the schema ("0+", "3-5", "none").</summary>
public readonly record struct VersionRange(short Lowest, short Highest)
{
    public static readonly VersionRange None = new(1, 0);

    public bool IsEmpty => Lowest > Highest;
    public bool IsOpenEnded => Highest == short.MaxValue;
    public bool Contains(short version) => version >= Lowest && version <= Highest;
    public bool ContainsAll(VersionRange other) => other.IsEmpty || (Lowest <= other.Lowest && other.Highest <= Highest);

    public VersionRange Intersect(VersionRange other)
    {
        var result = new VersionRange(Math.Max(Lowest, other.Lowest), Math.Min(Highest, other.Highest));
        return result.IsEmpty ? None : result;
    }

    public static VersionRange Parse(string? text, VersionRange fallback)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        text = text.Trim();
        if (text == "none") return None;
        if (text.EndsWith('+')) return new(short.Parse(text[..^1], CultureInfo.InvariantCulture), short.MaxValue);
        int dash = text.IndexOf('-');
        if (dash > 0)
            return new(short.Parse(text[..dash], CultureInfo.InvariantCulture), short.Parse(text[(dash + 1)..], CultureInfo.InvariantCulture));
        short single = short.Parse(text, CultureInfo.InvariantCulture);
        return new(single, single);
    }

    public override string ToString() => IsEmpty ? "none" : IsOpenEnded ? $"{Lowest}+" : Lowest == Highest ? $"{Lowest}" : $"{Lowest}-{Highest}";
}

/// <summary>The kind of value a field holds.</summary>
public enum FieldKind { Bool, Int8, Int16, UInt16, Int32, UInt32, Int64, Float64, String, Uuid, Bytes, Records, Struct, Array }

/// <summary>A field type: a primitive, a struct, or an array of either.</summary>
public sealed record FieldType(FieldKind Kind, string SchemaName, FieldType? Element = null)
{
    public bool IsArray => Kind == FieldKind.Array;
    public bool IsStruct => Kind == FieldKind.Struct;
    public bool CanBeNull => Kind is FieldKind.String or FieldKind.Bytes or FieldKind.Records or FieldKind.Struct or FieldKind.Array;

    public static FieldType Parse(string text)
    {
        if (text.StartsWith("[]", StringComparison.Ordinal))
            return new(FieldKind.Array, text, Parse(text[2..]));
        FieldKind kind = text switch
        {
            "bool" => FieldKind.Bool,
            "int8" => FieldKind.Int8,
            "int16" => FieldKind.Int16,
            "uint16" => FieldKind.UInt16,
            "int32" => FieldKind.Int32,
            "uint32" => FieldKind.UInt32,
            "int64" => FieldKind.Int64,
            "float64" => FieldKind.Float64,
            "string" => FieldKind.String,
            "uuid" => FieldKind.Uuid,
            "bytes" => FieldKind.Bytes,
            "records" => FieldKind.Records,
            _ when text.Length > 0 && char.IsUpper(text[0]) => FieldKind.Struct,
            _ => throw new InvalidDataException($"Unknown field type '{text}'."),
        };
        return new(kind, text);
    }
}

/// <summary>One field of a message or struct, with its versions resolved.</summary>
public sealed class FieldSpec
{
    public required string Name { get; init; }
    /// <summary>The C# property name (the schema name; kept separate so a rename stays possible).</summary>
    public required string PropertyName { get; init; }
    public required FieldType Type { get; init; }
    public required VersionRange Versions { get; init; }
    public required VersionRange NullableVersions { get; init; }
    /// <summary>Versions in which this field is written compactly; differs from the message only where the schema overrides it.</summary>
    public required VersionRange FlexibleVersions { get; init; }
    public required VersionRange TaggedVersions { get; init; }
    public int? Tag { get; init; }
    public bool Ignorable { get; init; }
    public string? Default { get; init; }
    public string About { get; init; } = "";
    /// <summary>For struct fields and arrays of structs, the struct.</summary>
    public StructSpec? Struct { get; set; }

    public bool IsTagged => Tag is not null;
    /// <summary>Whether the C# property is a nullable type: some version allows null, or the default is null.</summary>
    public bool IsNullableProperty => !NullableVersions.IsEmpty || Default == "null";
}

/// <summary>A struct: the top level of a message, a nested array element type, or a common struct.</summary>
public sealed class StructSpec
{
    public required string SchemaName { get; init; }
    /// <summary>The C# class name.</summary>
    public required string ClassName { get; set; }
    public required List<FieldSpec> Fields { get; init; }
    /// <summary>Versions in which the struct can occur.</summary>
    public VersionRange Versions { get; set; }
}

/// <summary>One schema file: a request, response, header or data message.</summary>
public sealed class MessageSpec
{
    public required string Name { get; init; }
    public required string Type { get; init; }
    public short? ApiKey { get; init; }
    public required VersionRange ValidVersions { get; init; }
    public required VersionRange FlexibleVersions { get; init; }
    public required StructSpec Root { get; init; }
    /// <summary>Every nested struct in declaration order (inline ones, then common ones).</summary>
    public required List<StructSpec> Structs { get; init; }
    public required string FileName { get; init; }

    public bool IsRequest => Type == "request";
    public bool IsResponse => Type == "response";
}

/// <summary>Reads Kafka's JSON message schemas.</summary>
public static class SchemaReader
{
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static List<MessageSpec> ReadDirectory(string directory)
    {
        var messages = new List<MessageSpec>();
        foreach (string path in Directory.GetFiles(directory, "*.json").OrderBy(p => p, StringComparer.Ordinal))
            messages.Add(ReadFile(path));
        return messages;
    }

    public static MessageSpec ReadFile(string path)
    {
        // JsonElement rather than JsonNode: a few schema files repeat a key ("versions") with the same value.
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path), Options);
        JsonElement root = document.RootElement;
        string name = Text(root, "name")!;
        var validVersions = VersionRange.Parse(Text(root, "validVersions"), VersionRange.None);
        var flexibleVersions = VersionRange.Parse(Text(root, "flexibleVersions"), VersionRange.None);

        var structs = new List<StructSpec>();
        var byName = new Dictionary<string, StructSpec>(StringComparer.Ordinal);
        var rootStruct = new StructSpec
        {
            SchemaName = name,
            ClassName = name,
            Fields = ReadFields(root.GetProperty("fields"), flexibleVersions, structs, byName),
            Versions = validVersions,
        };
        if (root.TryGetProperty("commonStructs", out JsonElement common))
        {
            foreach (JsonElement node in common.EnumerateArray())
            {
                string structName = Text(node, "name")!;
                var spec = new StructSpec
                {
                    SchemaName = structName,
                    ClassName = structName,
                    Fields = ReadFields(node.GetProperty("fields"), flexibleVersions, structs, byName),
                    Versions = VersionRange.Parse(Text(node, "versions"), validVersions),
                };
                structs.Add(spec);
                byName.Add(structName, spec);
            }
        }

        var message = new MessageSpec
        {
            Name = name,
            Type = Text(root, "type")!,
            ApiKey = Text(root, "apiKey") is string key ? short.Parse(key, CultureInfo.InvariantCulture) : null,
            ValidVersions = validVersions,
            FlexibleVersions = flexibleVersions,
            Root = rootStruct,
            Structs = structs,
            FileName = Path.GetFileName(path),
        };
        ResolveStructReferences(message, rootStruct, byName);
        NameNestedClasses(message);
        return message;
    }

    private static List<FieldSpec> ReadFields(JsonElement fields, VersionRange messageFlexible, List<StructSpec> structs, Dictionary<string, StructSpec> byName)
    {
        var result = new List<FieldSpec>();
        foreach (JsonElement node in fields.EnumerateArray())
        {
            var type = FieldType.Parse(Text(node, "type")!);
            var versions = VersionRange.Parse(Text(node, "versions"), VersionRange.None);
            var field = new FieldSpec
            {
                Name = Text(node, "name")!,
                PropertyName = PascalCase(Text(node, "name")!),
                Type = type,
                Versions = versions,
                NullableVersions = VersionRange.Parse(Text(node, "nullableVersions"), VersionRange.None),
                FlexibleVersions = VersionRange.Parse(Text(node, "flexibleVersions"), messageFlexible),
                TaggedVersions = VersionRange.Parse(Text(node, "taggedVersions"), VersionRange.None),
                Tag = Text(node, "tag") is string tag ? int.Parse(tag, CultureInfo.InvariantCulture) : null,
                Ignorable = bool.TryParse(Text(node, "ignorable"), out bool ignorable) && ignorable,
                Default = Text(node, "default"),
                About = Text(node, "about") ?? "",
            };
            if (node.TryGetProperty("fields", out JsonElement children))
            {
                FieldType structType = type.IsArray ? type.Element! : type;
                var spec = new StructSpec
                {
                    SchemaName = structType.SchemaName,
                    ClassName = structType.SchemaName,
                    Fields = ReadFields(children, messageFlexible, structs, byName),
                    Versions = versions,
                };
                structs.Add(spec);
                byName.Add(spec.SchemaName, spec);
                field.Struct = spec;
            }
            result.Add(field);
        }
        return result;
    }

    private static void ResolveStructReferences(MessageSpec message, StructSpec root, Dictionary<string, StructSpec> byName)
    {
        foreach (StructSpec spec in message.Structs.Prepend(root))
        {
            foreach (FieldSpec field in spec.Fields)
            {
                FieldType structType = field.Type.IsArray ? field.Type.Element! : field.Type;
                if (!structType.IsStruct || field.Struct is not null) continue;
                field.Struct = byName.TryGetValue(structType.SchemaName, out StructSpec? found)
                    ? found
                    : throw new InvalidDataException($"{message.FileName}: field {field.Name} names unknown struct {structType.SchemaName}.");
            }
        }
    }

    // Nested classes live inside the message class. A nested class may not share its name with a
    // property of the class that contains it, nor with one of its own properties (C# forbids both),
    // so such a class gets a "Data" suffix.
    private static void NameNestedClasses(MessageSpec message)
    {
        var topLevelNames = message.Root.Fields.Select(f => f.PropertyName).ToHashSet(StringComparer.Ordinal);
        foreach (StructSpec spec in message.Structs)
        {
            bool clashes = topLevelNames.Contains(spec.SchemaName)
                || spec.Fields.Any(f => f.PropertyName == spec.SchemaName)
                || spec.SchemaName == message.Name;
            if (clashes) spec.ClassName = spec.SchemaName + "Data";
        }
    }

    private static string? Text(JsonElement node, string property) =>
        !node.TryGetProperty(property, out JsonElement value) ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : value.GetRawText();

    // A few schema fields are spelled camelCase (timeoutMs, validateOnly, isKRaftController); C# properties are PascalCase.
    private static string PascalCase(string name) => char.ToUpperInvariant(name[0]) + name[1..];
}
