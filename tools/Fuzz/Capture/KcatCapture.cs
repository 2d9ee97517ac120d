using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;
using KafkaNative.Protocol.Records;
using KafkaNative.Fuzz.Targets;
using KafkaNative.TestSupport;

namespace KafkaNative.Fuzz.Capture;

/// <summary>
/// Real inputs for the corpus: kcat (librdkafka) talks to the golden-byte tests' recording fake broker (GoldenBroker), and
/// what it sends is filed under tools/Fuzz/corpus: every request frame for sim-request, the record
/// batches of its Produce requests for records / records-legacy, and their compressed payloads for
/// the codec targets, and the fake broker's answers at the versions kcat chose for the response
/// targets. Run once after a librdkafka upgrade; the files are committed.
/// </summary>
internal static class KcatCapture
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // A magic 2 batch header is 61 bytes; the (compressed) records follow it.
    private const int MagicTwoHeaderSize = 61;

    public static async Task RunAsync(string root)
    {
        if (!Kcat.IsInstalled) throw new InvalidOperationException("kcat is not installed (apt-get install -y kcat)");
        string[] lines = Enumerable.Range(0, 30).Select(i => $"key-{i}:value-{i}-{new string('x', i * 3)}").ToArray();
        string input = string.Join('\n', lines) + "\n";

        await CaptureAsync(root, "metadata", "-L -t fuzz", null, 11, 12);
        foreach (string codec in new[] { "none", "gzip", "snappy", "lz4", "zstd" })
        {
            await CaptureAsync(root, $"produce-{codec}", $"-P -t fuzz -p 0 -K : -H trace=abc -X compression.codec={codec} -X linger.ms=100", input, 11, 12);
            if (codec != "zstd") await CaptureAsync(root, $"legacy-v1-{codec}", $"-P -t fuzz -p 0 -K : -X compression.codec={codec} -X linger.ms=100 -X enable.idempotence=false", input, 2, 3);
        }
        await CaptureAsync(root, "legacy-v0-gzip", "-P -t fuzz -p 0 -K : -X compression.codec=gzip -X linger.ms=100 -X enable.idempotence=false", input, 2, 1);
    }

    private static async Task CaptureAsync(string root, string name, string arguments, string? input, short maxProduceVersion, short maxFetchVersion)
    {
        await using var broker = GoldenBroker.Start("fuzz", maxProduceVersion, maxFetchVersion);
        var (exit, _, errors) = await Kcat.RunAsync($"-b {broker.Bootstrap} {arguments}", input, Deadline);
        if (exit != 0) throw new InvalidOperationException($"kcat {arguments} failed: {errors}");
        foreach (CapturedRequest request in broker.Requests)
        {
            Save(root, SimRequestTarget.Name, $"{name}-{request.ApiKey}-v{request.Version}", request.Frame);
            if (request.ApiKey == Protocol.ApiKey.Produce) SaveRecords(root, name, request);
        }
        foreach (CapturedResponse response in broker.Responses)
            if (ResponseTargets.Selector(response.ApiKey, response.Version) is { } selector)
                Save(root, ResponseTargets.NameOf(response.ApiKey), $"{name}-v{response.Version}", [selector, .. response.Frame]);
        Console.WriteLine($"captured {name}: {broker.Requests.Count} requests, {broker.Responses.Count} responses");
    }

    private static void SaveRecords(string root, string name, CapturedRequest request)
    {
        var reader = new KafkaReader(request.Frame.AsMemory(request.BodyOffset));
        ProduceRequest produce = ProduceRequest.Read(ref reader, request.Version);
        ReadOnlyMemory<byte> records = produce.TopicData[0].PartitionData[0].Records!.Value;
        string target = records.Span[16] == 2 ? "records" : "records-legacy";
        Save(root, target, name, [RecordTargets.SkipCrcFlag, .. records.Span]);
        Save(root, target, name + "-crc", [0, .. records.Span]);
        using var batches = new RecordBatchReader();
        foreach (RecordBatch batch in batches.Read(records))
        {
            if (batch.Header.Magic == 2 && batch.Header.Compression != CompressionType.None)
                Save(root, CodecTargets.NameOf(batch.Header.Compression), name, batch.RawBytes.Span[MagicTwoHeaderSize..].ToArray());
        }
    }

    private static void Save(string root, string target, string name, byte[] bytes)
    {
        string directory = Path.Combine(root, "tools", "Fuzz", "corpus", target);
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, name + ".bin"), bytes);
    }
}
