using System.Globalization;
using System.Text;

namespace KafkaNative.Cli.Records;

/// <summary>
/// kcat's <c>-f</c> output format: <c>%k</c> key, <c>%s</c> value, <c>%t</c> topic, <c>%p</c> partition, <c>%o</c> offset,
/// <c>%T</c> timestamp (ms since the epoch), <c>%h</c> headers as <c>k=v,k=v</c>, <c>%K</c> / <c>%S</c> key / value length
/// (-1 when null), <c>%%</c> a percent sign, and the escapes <c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\\</c>. Keys, values and
/// header values are written as their raw bytes (null as nothing), so UTF-8 text shows as text and binary passes through.
/// </summary>
internal sealed class RecordFormat
{
    private readonly List<Func<ConsumeResult<byte[]?, byte[]?>, byte[]>> _parts = new();

    /// <summary>kcat's default: the value and a newline.</summary>
    public const string Default = "%s\\n";

    public RecordFormat(string format)
    {
        var literal = new StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if ((c is '%' or '\\') && i + 1 < format.Length)
            {
                char next = format[++i];
                if (c == '\\' && Escape(next) is char escaped)
                {
                    literal.Append(escaped);
                    continue;
                }
                if (c == '%' && next == '%')
                {
                    literal.Append('%');
                    continue;
                }
                if (c == '%' && Field(next) is { } field)
                {
                    Flush(literal);
                    _parts.Add(field);
                    continue;
                }
                throw new UsageException($"-f: unknown {(c == '%' ? "token" : "escape")} '{c}{next}' in \"{format}\"");
            }
            literal.Append(c);
        }
        Flush(literal);
    }

    public void Write(Stream output, ConsumeResult<byte[]?, byte[]?> record)
    {
        foreach (var part in _parts) output.Write(part(record));
    }

    private void Flush(StringBuilder literal)
    {
        if (literal.Length == 0) return;
        byte[] bytes = Encoding.UTF8.GetBytes(literal.ToString());
        _parts.Add(_ => bytes);
        literal.Clear();
    }

    private static char? Escape(char c) => c switch { 'n' => '\n', 'r' => '\r', 't' => '\t', '\\' => '\\', _ => null };

    private static Func<ConsumeResult<byte[]?, byte[]?>, byte[]>? Field(char c) => c switch
    {
        'k' => r => r.Key ?? [],
        's' => r => r.Value ?? [],
        't' => r => Text(r.Topic),
        'p' => r => Number(r.Partition),
        'o' => r => Number(r.Offset),
        'T' => r => Number(r.Timestamp.ToUnixTimeMilliseconds()),
        'K' => r => Number(r.Key?.Length ?? -1),
        'S' => r => Number(r.Value?.Length ?? -1),
        'h' => Headers,
        _ => null,
    };

    private static byte[] Headers(ConsumeResult<byte[]?, byte[]?> record)
    {
        using var bytes = new MemoryStream();
        for (int i = 0; i < record.Headers.Count; i++)
        {
            if (i > 0) bytes.WriteByte((byte)',');
            bytes.Write(Text(record.Headers[i].Key));
            bytes.WriteByte((byte)'=');
            if (record.Headers[i].Value is ReadOnlyMemory<byte> value) bytes.Write(value.Span);
        }
        return bytes.ToArray();
    }

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Number(long value) => Text(value.ToString(CultureInfo.InvariantCulture));
}
