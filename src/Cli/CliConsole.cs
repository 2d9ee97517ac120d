using System.Text;

namespace KafkaNative.Cli;

/// <summary>
/// Where a verb reads and writes: records on <see cref="StandardInput"/> and <see cref="StandardOutput"/> as raw
/// bytes (so data passes through unchanged), summaries and errors on <see cref="Error"/>. Tests pass their own streams.
/// </summary>
/// <param name="StandardInput">Records to produce.</param>
/// <param name="StandardOutput">Consumed records and listings.</param>
/// <param name="Error">Summaries, progress and errors: never mixed into the data.</param>
/// <param name="ErrorIsTerminal">Whether a person watches <see cref="Error"/>, so progress lines are worth drawing.</param>
internal sealed record CliConsole(Stream StandardInput, Stream StandardOutput, TextWriter Error, bool ErrorIsTerminal)
{
    public static CliConsole System() => new(
        Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Error, !Console.IsErrorRedirected);

    /// <summary>A UTF-8 text writer over <see cref="StandardOutput"/> for listings; dispose it to flush.</summary>
    public StreamWriter OpenText() => new(StandardOutput, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);
}
