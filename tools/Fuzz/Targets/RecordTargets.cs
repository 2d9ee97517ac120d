using System.Text;
using KafkaNative.Fuzz.Engine;
using KafkaNative.Protocol.Compression;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Records;

namespace KafkaNative.Fuzz.Targets;

/// <summary>
/// The record batch reader, magic 2 and legacy magic 0/1 (one decoder, two corpora). Input: one flags
/// byte (bit 0: strict about a partial trailing batch; bit 1: skip CRC checks, so mutants get past the
/// checksum into the records), then the records bytes as a Fetch response carries them.
/// </summary>
internal static class RecordTargets
{
    /// <summary>Decompression cap while fuzzing: small, so a bomb costs little, still bigger than any seed.</summary>
    public const int MaxDecompressedBytes = 1024 * 1024;

    public const byte StrictFlag = 1;
    public const byte SkipCrcFlag = 2;

    public static IEnumerable<FuzzTarget> All() =>
    [
        new("records", Run, RecordSeeds.MagicTwo),
        new("records-legacy", Run, RecordSeeds.Legacy),
    ];

    private static bool Run(byte[] input)
    {
        if (input.Length == 0) return false;
        using var reader = new RecordBatchReader
        {
            AllowPartialTrailingBatch = (input[0] & StrictFlag) == 0,
            VerifyCrc = (input[0] & SkipCrcFlag) == 0,
            MaxDecompressedBytes = MaxDecompressedBytes,
        };
        ReadAll(reader, input.AsMemory(1));
        return true;
    }

    /// <summary>What the consumer does with a fetch: every partition's records through the reader, CRCs checked.</summary>
    public static void ReadFetchRecords(FetchResponse response)
    {
        using var reader = new RecordBatchReader { MaxDecompressedBytes = MaxDecompressedBytes };
        foreach (var topic in response.Responses)
            foreach (var partition in topic.Partitions)
                if (partition.Records is { } records) ReadAll(reader, records);
    }

    /// <summary>Touches every field of every record, headers and control markers included.</summary>
    public static long ReadAll(RecordBatchReader reader, ReadOnlyMemory<byte> records)
    {
        long checksum = 0;
        foreach (RecordBatch batch in reader.Read(records))
        {
            checksum += batch.Header.LastOffset + batch.Header.MaxTimestamp;
            if (batch.Header.IsControl) checksum += (int)batch.ControlType;
            foreach (Record record in batch)
            {
                checksum += record.Offset + record.Timestamp + record.KeySpan.Length + record.ValueSpan.Length;
                checksum += (record.Key?.Length ?? -1) + (record.Value?.Length ?? -1);
                foreach (RecordHeaderView header in record.Headers)
                    checksum += Encoding.UTF8.GetByteCount(header.GetKey()) + (header.Value?.Length ?? -1);
            }
        }
        return checksum;
    }
}
