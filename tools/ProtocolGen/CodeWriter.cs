using System.Text;

namespace KafkaNative.ProtocolGen;

/// <summary>A StringBuilder that tracks indentation and writes "\n" line endings on every platform.</summary>
public sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
    }

    public void Open(string line)
    {
        Line(line);
        Line("{");
        _indent++;
    }

    public void OpenBlock()
    {
        Line("{");
        _indent++;
    }

    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    public void Doc(string summary)
    {
        foreach (string line in WrapXml(summary)) Line("/// " + line);
    }

    public override string ToString() => _text.ToString();

    private static IEnumerable<string> WrapXml(string summary)
    {
        string escaped = summary.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Trim();
        yield return "<summary>" + (escaped.Length == 0 ? "" : escaped) + "</summary>";
    }
}
