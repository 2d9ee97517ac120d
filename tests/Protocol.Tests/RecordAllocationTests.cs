using KafkaNative.Protocol.Primitives;
using KafkaNative.Protocol.Records;
using Record = KafkaNative.Protocol.Records.Record;

namespace KafkaNative.Protocol.Tests;

/// <summary>The producer and consumer hot paths allocate nothing once warmed up.</summary>
public class RecordAllocationTests
{
    private const int Records = 1_000;

    private static readonly byte[] Key = new byte[16];
    private static readonly byte[] Value = new byte[100];
    private static readonly RecordHeader[] Headers = [new("trace", new byte[8]), new("none", null)];

    private static void BuildBatch(RecordBatchBuilder builder, PooledBufferWriter output)
    {
        builder.Reset();
        for (int i = 0; i < Records; i++)
        {
            if ((i & 1) == 0) builder.Append(1_700_000_000_000 + i, Key, Value, Headers);
            else builder.Append(1_700_000_000_000 + i, default, Value, keyIsNull: true);
        }
        output.Clear();
        builder.WriteTo(output);
    }

    private static long ReadBatch(RecordBatchReader reader, ReadOnlyMemory<byte> input)
    {
        long sum = 0;
        foreach (RecordBatch batch in reader.Read(input))
        {
            sum += batch.Header.RecordCount;
            foreach (Record record in batch)
            {
                sum += record.Offset + record.Timestamp + record.KeySpan.Length + record.ValueSpan.Length;
                if (record.Key is { } key) sum += key.Length;
                foreach (RecordHeaderView header in record.Headers) sum += header.KeyUtf8.Length + (header.Value?.Length ?? 0);
            }
        }
        return sum;
    }

    [Fact]
    public void BuilderAllocatesNothingInSteadyState()
    {
        using var builder = new RecordBatchBuilder { ProducerId = 1, ProducerEpoch = 0, BaseSequence = 0 };
        using var output = new PooledBufferWriter();
        for (int i = 0; i < 5; i++) BuildBatch(builder, output);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) BuildBatch(builder, output);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(Records, builder.Count);
    }

    [Fact]
    public void ReaderAllocatesNothingInSteadyState()
    {
        using var builder = new RecordBatchBuilder();
        using var output = new PooledBufferWriter();
        BuildBatch(builder, output);
        BuildBatch(builder, output);
        byte[] twoBatches = [.. output.WrittenSpan, .. output.WrittenSpan, .. output.WrittenSpan[..100]];
        ReadOnlyMemory<byte> input = twoBatches;

        using var reader = new RecordBatchReader();
        long expected = ReadBatch(reader, input);
        for (int i = 0; i < 5; i++) Assert.Equal(expected, ReadBatch(reader, input));

        long before = GC.GetAllocatedBytesForCurrentThread();
        long sum = 0;
        for (int i = 0; i < 10; i++) sum += ReadBatch(reader, input);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(expected * 10, sum);
    }
}
