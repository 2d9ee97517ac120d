using System.Collections;
using System.Reflection;
using KafkaNative.Protocol.Primitives;
using KafkaNative.ProtocolGen;

namespace KafkaNative.Protocol.Tests.Messages;

/// <summary>
/// Every generated message at every valid version: filled with random values (nulls where the
/// version allows them), written, read back, compared field by field and written again to the
/// same bytes. Then every truncation and random corruptions of those bytes must fail cleanly.
/// </summary>
public class MessageRoundTripTests
{
    private static readonly Dictionary<string, MessageSpec> Specs =
        RepoPaths.HasSchemas ? SchemaReader.ReadDirectory(RepoPaths.SchemaDirectory).ToDictionary(m => m.Name) : [];

    public static IEnumerable<object[]> MessageNames() =>
        Specs.Count == 0 ? [["(schemas absent)"]] : Specs.Keys.Order(StringComparer.Ordinal).Select(n => new object[] { n });

    [SkippableTheory]
    [MemberData(nameof(MessageNames))]
    public void RoundTripsAtEveryVersion(string messageName)
    {
        Skip.If(Specs.Count == 0, "../shared/kafka-protocol/message is absent");
        MessageSpec spec = Specs[messageName];
        Type type = MessageType(messageName);

        for (short version = spec.ValidVersions.Lowest; version <= spec.ValidVersions.Highest; version++)
        {
            for (int seed = 0; seed < 4; seed++)
            {
                var filler = new Filler(spec, version, new Random(seed * 7919 + version));
                object message = filler.Fill(type, spec.Root);
                (byte[] first, byte[] second, object decoded) = RoundTrip(type, message, version);
                string context = $"{messageName} v{version} seed {seed}";
                new Comparer(spec, version, context).Compare(spec.Root, message, decoded);
                Assert.True(first.AsSpan().SequenceEqual(second), $"{context}: re-encoding differs");
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(MessageNames))]
    public void TruncatedOrCorruptedInputFailsWithAProtocolException(string messageName)
    {
        Skip.If(Specs.Count == 0, "../shared/kafka-protocol/message is absent");
        MessageSpec spec = Specs[messageName];
        Type type = MessageType(messageName);
        var random = new Random(42);

        for (short version = spec.ValidVersions.Lowest; version <= spec.ValidVersions.Highest; version++)
        {
            object message = new Filler(spec, version, new Random(version)).Fill(type, spec.Root);
            byte[] encoded = RoundTrip(type, message, version).First;

            for (int length = 0; length < encoded.Length; length++)
            {
                Exception? error = TryRead(type, encoded[..length], version);
                Assert.True(error is KafkaProtocolException, $"{messageName} v{version} truncated to {length}/{encoded.Length}: {error?.GetType().Name ?? "no exception"}");
            }

            for (int i = 0; i < 40 && encoded.Length > 0; i++)
            {
                byte[] corrupt = (byte[])encoded.Clone();
                for (int flips = random.Next(1, 4); flips > 0; flips--)
                    corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
                Exception? error = TryRead(type, corrupt, version);
                Assert.True(error is null or KafkaProtocolException, $"{messageName} v{version} corrupted: {error}");
            }
        }
    }

    [Fact]
    public void WritingAVersionOutsideTheSchemaIsRefused()
    {
        var request = new KafkaNative.Protocol.Messages.ProduceRequest();
        using var buffer = new PooledBufferWriter();
        var writer = new KafkaWriter(buffer);
        try
        {
            request.Write(ref writer, 12);
            Assert.Fail("version 12 was written");
        }
        catch (UnsupportedVersionException e)
        {
            Assert.Contains("ProduceRequest", e.Message);
        }
    }

    [Fact]
    public void ANonDefaultFieldTheVersionCannotCarryIsRefused()
    {
        // TransactionalId exists from v3; silently dropping it at v2 would change the request's meaning.
        var request = new KafkaNative.Protocol.Messages.ProduceRequest { TransactionalId = "tx" };
        using var buffer = new PooledBufferWriter();
        var writer = new KafkaWriter(buffer);
        try
        {
            request.Write(ref writer, 2);
            Assert.Fail("the field was dropped silently");
        }
        catch (UnsupportedVersionException e)
        {
            Assert.Contains("TransactionalId", e.Message);
        }
    }

    private static Type MessageType(string name) =>
        typeof(ApiKey).Assembly.GetType("KafkaNative.Protocol.Messages." + name) ?? throw new InvalidOperationException(name);

    private static (byte[] First, byte[] Second, object Decoded) RoundTrip(Type type, object message, short version) =>
        ((byte[], byte[], object))typeof(MessageRoundTripTests).GetMethod(nameof(RoundTripTyped), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type).Invoke(null, [message, version])!;

    private static (byte[], byte[], object) RoundTripTyped<T>(object message, short version) where T : class, IKafkaMessage<T>
    {
        byte[] first = Encode((T)message, version);
        var reader = new KafkaReader(first.AsMemory());
        T decoded = T.Read(ref reader, version);
        reader.EnsureEnd(typeof(T).Name);
        return (first, Encode(decoded, version), decoded);
    }

    private static byte[] Encode<T>(T message, short version) where T : IKafkaMessage
    {
        using var buffer = new PooledBufferWriter();
        var writer = new KafkaWriter(buffer);
        message.Write(ref writer, version);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static Exception? TryRead(Type type, byte[] input, short version)
    {
        try
        {
            typeof(MessageRoundTripTests).GetMethod(nameof(ReadTyped), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(type).Invoke(null, [input, version]);
            return null;
        }
        catch (TargetInvocationException e)
        {
            return e.InnerException;
        }
    }

    private static void ReadTyped<T>(byte[] input, short version) where T : class, IKafkaMessage<T>
    {
        var reader = new KafkaReader(input.AsMemory());
        T.Read(ref reader, version);
        reader.EnsureEnd(typeof(T).Name);
    }

    private static bool IsPresent(MessageSpec message, FieldSpec field, short version)
    {
        if (!field.Versions.Contains(version)) return false;
        if (!field.IsTagged || field.TaggedVersions.IsEmpty) return true;
        bool tagged = field.TaggedVersions.Contains(version);
        return !tagged || message.FlexibleVersions.Contains(version);
    }

    /// <summary>Fills a message with random values that the version can carry.</summary>
    private sealed class Filler(MessageSpec message, short version, Random random)
    {
        public object Fill(Type type, StructSpec spec)
        {
            object instance = Activator.CreateInstance(type)!;
            foreach (FieldSpec field in spec.Fields)
            {
                if (!IsPresent(message, field, version)) continue;
                PropertyInfo property = type.GetProperty(field.PropertyName)!;
                bool mayBeNull = field.NullableVersions.Contains(version);
                property.SetValue(instance, mayBeNull && random.Next(4) == 0 ? null : Value(field.Type, field, property.PropertyType));
            }
            return instance;
        }

        private object Value(FieldType type, FieldSpec field, Type clrType) => type.Kind switch
        {
            FieldKind.Bool => random.Next(2) == 1,
            FieldKind.Int8 => (sbyte)random.Next(sbyte.MinValue, sbyte.MaxValue + 1),
            FieldKind.Int16 => (short)random.Next(short.MinValue, short.MaxValue + 1),
            FieldKind.UInt16 => (ushort)random.Next(ushort.MaxValue + 1),
            FieldKind.Int32 => random.Next(int.MinValue, int.MaxValue),
            FieldKind.UInt32 => (uint)random.NextInt64(uint.MaxValue + 1L),
            FieldKind.Int64 => random.NextInt64(long.MinValue, long.MaxValue),
            FieldKind.Float64 => random.NextDouble() * 1e6 - 5e5,
            FieldKind.String => RandomString(),
            FieldKind.Uuid => new Guid(RandomBytes(16)),
            FieldKind.Bytes or FieldKind.Records => new ReadOnlyMemory<byte>(RandomBytes(random.Next(0, 20))),
            FieldKind.Struct => Fill(clrType, field.Struct!),
            FieldKind.Array => RandomList(type.Element!, field, clrType),
            _ => throw new InvalidOperationException(type.Kind.ToString()),
        };

        private IList RandomList(FieldType element, FieldSpec field, Type listType)
        {
            var list = (IList)Activator.CreateInstance(listType)!;
            Type elementType = listType.GetGenericArguments()[0];
            for (int i = random.Next(0, 4); i > 0; i--) list.Add(Value(element, field, elementType));
            return list;
        }

        private string RandomString()
        {
            const string alphabet = "abcdefghijklmnopqrstuvwxyz-._0123456789é€";
            return new string(Enumerable.Range(0, random.Next(0, 12)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
        }

        private byte[] RandomBytes(int length)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            return bytes;
        }
    }

    /// <summary>Compares the fields a version carries.</summary>
    private sealed class Comparer(MessageSpec message, short version, string context)
    {
        public void Compare(StructSpec spec, object expected, object actual)
        {
            foreach (FieldSpec field in spec.Fields)
            {
                if (!IsPresent(message, field, version)) continue;
                PropertyInfo property = expected.GetType().GetProperty(field.PropertyName)!;
                CompareValues(field, field.Type, property.GetValue(expected), property.GetValue(actual), $"{context} {spec.ClassName}.{field.Name}");
            }
        }

        private void CompareValues(FieldSpec field, FieldType type, object? expected, object? actual, string where)
        {
            if (expected is null || actual is null)
            {
                Assert.True(expected is null && actual is null, $"{where}: {expected ?? "null"} vs {actual ?? "null"}");
                return;
            }
            switch (type.Kind)
            {
                case FieldKind.Struct:
                    Compare(field.Struct!, expected, actual);
                    break;
                case FieldKind.Array:
                    var left = (IList)expected;
                    var right = (IList)actual;
                    Assert.True(left.Count == right.Count, $"{where}: {left.Count} vs {right.Count} elements");
                    for (int i = 0; i < left.Count; i++) CompareValues(field, type.Element!, left[i], right[i], $"{where}[{i}]");
                    break;
                case FieldKind.Bytes or FieldKind.Records:
                    Assert.True(((ReadOnlyMemory<byte>)expected).Span.SequenceEqual(((ReadOnlyMemory<byte>)actual).Span), $"{where}: bytes differ");
                    break;
                default:
                    Assert.True(Equals(expected, actual), $"{where}: {expected} vs {actual}");
                    break;
            }
        }
    }
}
