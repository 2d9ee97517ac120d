using System.Text;
using System.Text.Json;

namespace KafkaNative.Cli.Records;

/// <summary>
/// <c>-J</c>: one JSON object per record and line, written with <see cref="Utf8JsonWriter"/> (no reflection):
/// <c>{"topic","partition","offset","timestamp","key","value","headers":[{"key","value"}]}</c>, timestamp in ms since
/// the epoch. A key or value (or header value) that is valid UTF-8 is a JSON string; one that is not is its base64,
/// flagged by <c>"key_encoding":"base64"</c> (<c>value_encoding</c>, or <c>"encoding"</c> in a header); null stays null.
/// </summary>
internal sealed class JsonRecordWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void Write(Stream output, ConsumeResult<byte[]?, byte[]?> record)
    {
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("topic", record.Topic);
            json.WriteNumber("partition", record.Partition);
            json.WriteNumber("offset", record.Offset);
            json.WriteNumber("timestamp", record.Timestamp.ToUnixTimeMilliseconds());
            WriteBytes(json, "key", "key_encoding", record.Key);
            WriteBytes(json, "value", "value_encoding", record.Value);
            json.WriteStartArray("headers");
            foreach (RecordHeader header in record.Headers)
            {
                json.WriteStartObject();
                json.WriteString("key", header.Key);
                WriteBytes(json, "value", "encoding", header.Value?.ToArray());
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        output.WriteByte((byte)'\n');
    }

    private static void WriteBytes(Utf8JsonWriter json, string name, string encodingName, byte[]? bytes)
    {
        if (bytes is null)
        {
            json.WriteNull(name);
            return;
        }
        if (IsUtf8(bytes))
        {
            json.WriteString(name, StrictUtf8.GetString(bytes));
            return;
        }
        json.WriteBase64String(name, bytes);
        json.WriteString(encodingName, "base64");
    }

    private static bool IsUtf8(byte[] bytes) => System.Text.Unicode.Utf8.IsValid(bytes);
}
