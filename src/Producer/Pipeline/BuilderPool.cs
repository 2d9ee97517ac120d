using System.Collections.Concurrent;
using KafkaNative.Protocol.Compression;
using KafkaNative.Protocol.Records;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// Reusable batch builders, so a busy producer encodes into the same pooled buffers again and again.
/// How many exist is bounded by the memory budget, which bounds how many batches can be open.
/// </summary>
internal sealed class BuilderPool(CompressionType compression, int? level, int initialCapacity)
{
    private readonly ConcurrentBag<RecordBatchBuilder> _free = [];

    public RecordBatchBuilder Rent()
    {
        if (!_free.TryTake(out RecordBatchBuilder? builder))
            builder = new RecordBatchBuilder(initialCapacity) { Compression = compression, CompressionLevel = level };
        builder.Reset();
        return builder;
    }

    public void Return(RecordBatchBuilder builder) => _free.Add(builder);
}
