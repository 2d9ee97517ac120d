using KafkaNative.Consumer;
using KafkaNative.Protocol.Records;

namespace KafkaNative.Interop.Tests;

/// <summary>Conversions between our clients' records and <see cref="SampleRecord"/>.</summary>
internal static class OurClients
{
    public static RecordHeader[] Headers(SampleRecord record) =>
        record.Headers.Select(h => new RecordHeader(h.Key, h.Value is null ? null : (ReadOnlyMemory<byte>?)h.Value)).ToArray();

    public static SampleRecord ToSample(ConsumeResult<byte[]?, byte[]?> result) =>
        new(result.Partition, result.Key, result.Value, result.Headers.Select(h => new Header(h.Key, h.Value?.ToArray())).ToList(), result.Timestamp.ToUnixTimeMilliseconds());

    /// <summary>Reads <paramref name="count"/> records from an assigned or subscribed consumer, failing past the deadline.</summary>
    public static async Task<List<ConsumeResult<byte[]?, byte[]?>>> ConsumeAsync(KafkaConsumer<byte[]?, byte[]?> consumer, int count, TimeSpan? timeout = null)
    {
        var results = new List<ConsumeResult<byte[]?, byte[]?>>(count);
        using var cts = new CancellationTokenSource(timeout ?? Sims.Generous);
        try
        {
            await foreach (ConsumeResult<byte[]?, byte[]?> result in consumer.ConsumeAsync(cts.Token))
            {
                results.Add(result);
                if (results.Count == count) break;
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"our consumer read {results.Count} of {count} records.");
        }
        return results;
    }
}
