using System.Buffers;
using System.IO.Pipelines;

namespace KafkaNative.Cli.Records;

/// <summary>
/// Splits input into lines of raw bytes (no decoding, so any bytes pass through), as kcat reads records from
/// stdin or a file: '\n' ends a line, and a last line without one counts too.
/// </summary>
internal static class InputLines
{
    public static async IAsyncEnumerable<byte[]> ReadAsync(Stream input, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        PipeReader reader = PipeReader.Create(input, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            while (true)
            {
                ReadResult read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                var lines = new List<byte[]>();
                var sequence = new SequenceReader<byte>(buffer);
                while (sequence.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n')) lines.Add(line.ToArray());
                if (read.IsCompleted && !sequence.End) lines.Add(sequence.UnreadSequence.ToArray());
                reader.AdvanceTo(read.IsCompleted ? buffer.End : sequence.Position, buffer.End);
                foreach (byte[] line in lines) yield return line;
                if (read.IsCompleted) yield break;
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }
}
