using System.Collections.Concurrent;
using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Sim;
using static KafkaNative.Consumer.Tests.SimHelpers;

namespace KafkaNative.Consumer.Tests;

/// <summary>
/// Our consumer on transactional partitions of the Sim (transactions driven at the wire by
/// <see cref="TransactionalWriter"/>): read_committed sees exactly the committed and non-transactional
/// records and never reads past the last stable offset; transaction markers are never handed out but
/// count in the position, so commits and lag go past them.
/// </summary>
public class TransactionalConsumeTests
{
    [Fact]
    public async Task ReadCommitted_GroupMember_CommitsTheLogEndPastTheFinalMarker_AndLagReachesZero()
    {
        const string topic = "txn-mixed";
        var tp = new TopicPartition(topic, 0);
        await using SimulatedCluster sim = await StartAsync();
        await sim.CreateTopicAsync(topic, 1);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        TransactionalWriter a = await TransactionalWriter.InitAsync(producer, "mixed-a");
        TransactionalWriter b = await TransactionalWriter.InitAsync(producer, "mixed-b");

        await ProduceAsync(producer, topic, 0, 0, 3, "p");               // 0-2
        await a.WriteAsync(topic, 0, "c0", "c1", "c2");                  // 3-5
        await a.CommitAsync();                                           // COMMIT at 6
        await LogEndAsync(sim, topic, 7);
        await ProduceAsync(producer, topic, 0, 0, 2, "q");               // 7-8
        await b.WriteAsync(topic, 0, "x0", "x1");                        // 9-10
        await ProduceAsync(producer, topic, 0, 0, 1, "r");               // 11, while b's transaction is open
        await b.AbortAsync();                                            // ABORT at 12
        await LogEndAsync(sim, topic, 13);
        await a.WriteAsync(topic, 0, "d0", "d1");                        // 13-14
        await a.CommitAsync();                                           // COMMIT at 15: the log ends with a marker
        await LogEndAsync(sim, topic, 16);

        ConsumerOptions options = Options(sim, "txn-mixed-group");
        options.IsolationLevel = IsolationLevel.ReadCommitted;
        options.EnableAutoCommit = false;
        await using var consumer = new KafkaConsumer<string?, string?>(options);
        consumer.Subscribe([topic]);
        await using (var reader = Reader.Enumerate(consumer))
        {
            await Eventually.TrueAsync(() => reader.Count >= 11, () => $"11 committed records (read {reader.Count})");
            Assert.Equal([("p0", 0L), ("p1", 1L), ("p2", 2L), ("c0", 3L), ("c1", 4L), ("c2", 5L), ("q0", 7L), ("q1", 8L), ("r0", 11L), ("d0", 13L), ("d1", 14L)], reader.Records);
            await Eventually.TrueAsync(() => consumer.Position(tp) == 16 && consumer.GetLag(tp) == 0,
                () => $"the position past the final marker (position {consumer.Position(tp)}, lag {consumer.GetLag(tp)})");
        }
        Assert.Equal([new TopicPartitionOffset(tp, 16)], await consumer.CommitAsync());
        Assert.Equal([new TopicPartitionOffset(tp, 16)], await consumer.CommittedAsync([tp]));

        // read_uncommitted (in the per-partition handler form) sees the aborted records too, and also ends past the marker.
        ConsumerOptions all = Options(sim);
        all.IsolationLevel = IsolationLevel.ReadUncommitted;
        await using var uncommitted = new KafkaConsumer<string?, string?>(all);
        uncommitted.Assign([new TopicPartitionOffset(tp, TopicPartitionOffset.Beginning)]);
        await using var everything = Reader.Handle(uncommitted);
        await Eventually.TrueAsync(() => everything.Count >= 13 && uncommitted.Position(tp) == 16 && uncommitted.GetLag(tp) == 0,
            () => $"13 records and the position at 16 (read {everything.Count}, position {uncommitted.Position(tp)})");
        Assert.Equal(["p0", "p1", "p2", "c0", "c1", "c2", "q0", "q1", "x0", "x1", "r0", "d0", "d1"], everything.Values);
    }

    [Fact]
    public async Task ReadCommitted_StopsAtTheLastStableOffset_WhileATransactionIsOpen_AndGetsItOnlyOnCommit()
    {
        const string topic = "txn-open";
        var tp = new TopicPartition(topic, 0);
        await using SimulatedCluster sim = await StartAsync();
        await sim.CreateTopicAsync(topic, 1);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        await ProduceAsync(producer, topic, 0, 0, 5, "before");          // 0-4

        ConsumerOptions committedOptions = Options(sim);
        committedOptions.IsolationLevel = IsolationLevel.ReadCommitted;
        await using var committed = new KafkaConsumer<string?, string?>(committedOptions);
        committed.Assign([new TopicPartitionOffset(tp, TopicPartitionOffset.Beginning)]);
        await using var readCommitted = Reader.Enumerate(committed);
        ConsumerOptions allOptions = Options(sim);
        allOptions.IsolationLevel = IsolationLevel.ReadUncommitted;
        await using var uncommitted = new KafkaConsumer<string?, string?>(allOptions);
        uncommitted.Assign([new TopicPartitionOffset(tp, TopicPartitionOffset.Beginning)]);
        await using var readAll = Reader.Handle(uncommitted);
        await Eventually.TrueAsync(() => readCommitted.Count >= 5 && readAll.Count >= 5, "both to read the first 5 records");

        TransactionalWriter txn = await TransactionalWriter.InitAsync(producer, "open-writer");
        await txn.WriteAsync(topic, 0, "t0", "t1", "t2");                // 5-7: the last stable offset stays at 5
        await ProduceAsync(producer, topic, 0, 0, 2, "after");           // 8-9, behind the open transaction
        await Eventually.TrueAsync(() => readAll.Count >= 10, () => $"read_uncommitted to read all 10 at once (read {readAll.Count})");
        Assert.Equal(["before0", "before1", "before2", "before3", "before4", "t0", "t1", "t2", "after0", "after1"], readAll.Values);

        // Twenty more fetches answered while the transaction is open: read_committed gets nothing at or past the LSO.
        int leader = sim.LeaderOf(topic, 0);
        long fetches = sim.RequestCount(leader, ApiKey.Fetch);
        await Eventually.TrueAsync(() => sim.RequestCount(leader, ApiKey.Fetch) >= fetches + 20, "twenty more fetches");
        Assert.Equal(5, readCommitted.Count);
        Assert.Equal(5, committed.Position(tp));
        Assert.Equal(10, committed.GetWatermarkOffsets(tp).High);
        Assert.Equal(0, committed.GetLag(tp));   // read_committed lag counts to the LSO, as the Java client's
        Assert.Equal(0, uncommitted.GetLag(tp));

        await txn.CommitAsync();                                         // COMMIT at 10
        await Eventually.TrueAsync(() => readCommitted.Count >= 10 && committed.Position(tp) == 11,
            () => $"the committed transaction and the records behind it (read {readCommitted.Count}, position {committed.Position(tp)})");
        Assert.Equal(readAll.Values, readCommitted.Values);
        // read_uncommitted had every record already: its next fetch holds only the marker, which still moves it on.
        await Eventually.TrueAsync(() => uncommitted.Position(tp) == 11 && uncommitted.GetLag(tp) == 0,
            () => $"read_uncommitted past the lone marker (position {uncommitted.Position(tp)})");

        await txn.WriteAsync(topic, 0, "u0", "u1");                      // 11-12
        await ProduceAsync(producer, topic, 0, 0, 1, "late");            // 13, behind the open transaction
        await txn.AbortAsync();                                          // ABORT at 14
        await LogEndAsync(sim, topic, 15);
        await ProduceAsync(producer, topic, 0, 1, 2, "late");            // 15
        await Eventually.TrueAsync(() => readCommitted.Count >= 12 && committed.Position(tp) == 16,
            () => $"the records around the aborted transaction (read {readCommitted.Count}, position {committed.Position(tp)})");
        Assert.Equal(["late0", "late1"], readCommitted.Values[10..]);
        Assert.Equal([13L, 15L], readCommitted.Records[10..].Select(r => r.Offset));
        await Eventually.TrueAsync(() => readAll.Count >= 14 && uncommitted.Position(tp) == 16, () => $"read_uncommitted at the end (read {readAll.Count})");
        Assert.Equal(["u0", "u1", "late0", "late1"], readAll.Values[10..]);
    }

    [Fact]
    public async Task Position_MovesPastAMarker_OnlyWithTheLastMessageBeforeIt()
    {
        const string topic = "txn-marker";
        var tp = new TopicPartition(topic, 0);
        await using SimulatedCluster sim = await StartAsync();
        await sim.CreateTopicAsync(topic, 1);
        await using var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers });
        TransactionalWriter txn = await TransactionalWriter.InitAsync(producer, "marker-writer");
        await txn.WriteAsync(topic, 0, "m0", "m1", "m2");                // 0-2
        await txn.CommitAsync();                                         // COMMIT at 3
        await LogEndAsync(sim, topic, 4);

        ConsumerOptions options = Options(sim);
        options.IsolationLevel = IsolationLevel.ReadCommitted;
        await using var consumer = new KafkaConsumer<string?, string?>(options);
        consumer.Assign([new TopicPartitionOffset(tp, TopicPartitionOffset.Beginning)]);
        using var cts = new CancellationTokenSource(Generous);
        // One fetch holds the three records and the marker; leaving the loop after the first stores only its offset + 1.
        await foreach (ConsumeResult<string?, string?> message in consumer.ConsumeAsync(cts.Token))
        {
            Assert.Equal(("m0", 0L), (message.Value, message.Offset));
            break;
        }
        Assert.Equal(1, consumer.Position(tp));
        Assert.Equal(3, consumer.GetLag(tp));
        int read = 0;
        await foreach (ConsumeResult<string?, string?> message in consumer.ConsumeAsync(cts.Token))
        {
            Assert.Equal(++read, message.Offset);
            if (read == 2) break;
        }
        Assert.Equal(4, consumer.Position(tp));
        Assert.Equal(0, consumer.GetLag(tp));

        // The batch form: a batch ending with the fetch's last record moves past the marker too.
        consumer.Seek(new TopicPartitionOffset(tp, 1));
        await foreach (ConsumeBatch<string?, string?> batch in consumer.ConsumeBatchesAsync(cts.Token))
        {
            Assert.Equal((1L, 2L), (batch[0].Offset, batch.LastOffset));
            Assert.Equal(1, consumer.Position(tp));
            break;
        }
        Assert.Equal(4, consumer.Position(tp));

        // A fetch of nothing but an aborted transaction and its marker still moves the position (no refetching it forever).
        await txn.WriteAsync(topic, 0, "z0", "z1");                      // 4-5
        await txn.AbortAsync();                                          // ABORT at 6
        await LogEndAsync(sim, topic, 7);
        await using var reader = Reader.Enumerate(consumer);
        await Eventually.TrueAsync(() => reader.Count == 0 && consumer.Position(tp) == 7 && consumer.GetLag(tp) == 0,
            () => $"the position past the aborted transaction (position {consumer.Position(tp)}, read {reader.Count})");
        await ProduceAsync(producer, topic, 0, 0, 1, "after");          // 7
        await Eventually.TrueAsync(() => reader.Count >= 1, "the record after the abort");
        Assert.Equal([("after0", 7L)], reader.Records);
    }

    private static Task LogEndAsync(SimulatedCluster sim, string topic, long end) =>
        Eventually.TrueAsync(() => sim.HighWatermark(topic, 0) == end, () => $"{topic}-0 to end at {end} (high watermark {sim.HighWatermark(topic, 0)})");

    /// <summary>A consume loop in the background that keeps what it reads; disposing stops it and rethrows its failure.</summary>
    private sealed class Reader : IAsyncDisposable
    {
        private readonly ConcurrentQueue<ConsumeResult<string?, string?>> _read = new();
        private readonly CancellationTokenSource _stop = new(Generous * 2);
        private Task _loop = Task.CompletedTask;

        public int Count => _loop.IsFaulted ? throw _loop.Exception! : _read.Count;

        public (string? Value, long Offset)[] Records => [.. _read.Select(r => (r.Value, r.Offset))];

        public string[] Values => [.. _read.Select(r => r.Value ?? "<null>")];

        /// <summary>Reads with the <c>await foreach</c> form.</summary>
        public static Reader Enumerate(KafkaConsumer<string?, string?> consumer)
        {
            var reader = new Reader();
            reader._loop = Task.Run(async () =>
            {
                await foreach (ConsumeResult<string?, string?> result in consumer.ConsumeAsync(reader._stop.Token)) reader._read.Enqueue(result);
            });
            return reader;
        }

        /// <summary>Reads with the handler form (a task per partition).</summary>
        public static Reader Handle(KafkaConsumer<string?, string?> consumer)
        {
            var reader = new Reader();
            reader._loop = consumer.ConsumeAsync((result, _) =>
            {
                reader._read.Enqueue(result);
                return ValueTask.CompletedTask;
            }, reader._stop.Token);
            return reader;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
            _stop.Dispose();
        }
    }
}
