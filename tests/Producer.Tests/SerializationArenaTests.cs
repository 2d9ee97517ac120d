using System.Text;
using KafkaNative.Producer.Pipeline;

namespace KafkaNative.Producer.Tests;

/// <summary>Records written into the arena keep their bytes until released, across slab ends, and slabs come back for reuse.</summary>
public class SerializationArenaTests
{
    [Fact]
    public void EveryRecordKeepsItsBytesAcrossSlabEnds()
    {
        var arena = new SerializationArena(bufferMemory: 1 << 20);
        var records = new List<(object? Owner, ReadOnlyMemory<byte> Bytes, string Expected)>();
        for (int i = 0; i < 5_000; i++)
        {
            string text = $"record {i} " + new string('x', i % 300);
            records.Add(Write(arena, text));
        }

        foreach ((object? _, ReadOnlyMemory<byte> bytes, string expected) in records)
            Assert.Equal(expected, Encoding.UTF8.GetString(bytes.Span));
        Assert.True(records.Select(r => r.Owner).Distinct(ReferenceEqualityComparer.Instance).Count() > 10, "the records should span many slabs");
    }

    [Fact]
    public void ARecordOverHalfASlabGetsAnArrayOfItsOwn()
    {
        var arena = new SerializationArena(bufferMemory: 1 << 20);
        string large = new('L', SerializationArena.SlabSize / 2 + 1);
        (object? owner, ReadOnlyMemory<byte> bytes, _) = Write(arena, large);

        Assert.IsType<byte[]>(owner);
        Assert.Equal(large, Encoding.UTF8.GetString(bytes.Span));
        // The next small record goes back into a slab.
        Assert.IsType<SerializationArena.Slab>(Write(arena, "small").Owner);
    }

    [Fact]
    public void AnAbandonedRecordLeavesNoTrace()
    {
        var arena = new SerializationArena(bufferMemory: 1 << 20);
        SerializationArena.SlabWriter writer = arena.Writer;
        Encoding.UTF8.GetBytes("half a record", writer);
        writer.Abandon();

        (_, ReadOnlyMemory<byte> bytes, _) = Write(arena, "whole");
        Assert.Equal("whole", Encoding.UTF8.GetString(bytes.Span));
    }

    [Fact]
    public void AnEmptyRecordNeedsNoStorage()
    {
        var arena = new SerializationArena(bufferMemory: 1 << 20);
        object? owner = arena.Writer.Commit(out _, out _);
        Assert.Null(owner);
    }

    [Fact]
    public void ReleasedSlabsAreReused()
    {
        var arena = new SerializationArena(bufferMemory: 1 << 20);
        var owners = new HashSet<SerializationArena.Slab>(ReferenceEqualityComparer.Instance);
        for (int round = 0; round < 10; round++)
        {
            var written = new List<object?>();
            // About three slabs' worth per round, each record released before the next round.
            for (int i = 0; i < 3 * SerializationArena.SlabSize / 1000; i++) written.Add(Write(arena, new string('v', 1000)).Owner);
            foreach (object? owner in written)
            {
                var slab = (SerializationArena.Slab)owner!;
                owners.Add(slab);
                slab.Release();
            }
        }
        // Ten rounds of three slabs each, served by a handful of slabs going round.
        Assert.InRange(owners.Count, 3, 6);
    }

    private static (object? Owner, ReadOnlyMemory<byte> Bytes, string Expected) Write(SerializationArena arena, string text)
    {
        SerializationArena.SlabWriter writer = arena.Writer;
        Encoding.UTF8.GetBytes(text, writer);
        int length = writer.Written;
        object? owner = writer.Commit(out byte[] bytes, out int offset);
        return (owner, bytes.AsMemory(offset, length), text);
    }
}
