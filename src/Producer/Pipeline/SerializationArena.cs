using System.Buffers;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// Where copying serializers write keys and values: consecutive slices of 64 KiB slabs, one slab in
/// use per thread, so a record needs no array of its own. A slab goes back to the producer's pool when
/// the last record cut from it has been copied into a batch; the pool keeps at most the producer's
/// buffer memory in slabs, so a full buffer recycles them instead of allocating. A record that
/// outgrows half a slab gets an array of its own from the shared pool.
/// </summary>
internal sealed class SerializationArena
{
    public const int SlabSize = 64 * 1024;

    // Slabs come and go once per few hundred records: a lock is simpler than a lock-free stack, and allocates nothing.
    private readonly Stack<Slab> _free = new();
    private readonly ThreadLocal<SlabWriter> _writers;
    private readonly int _maxPooled;

    public SerializationArena(long bufferMemory)
    {
        _maxPooled = (int)Math.Clamp(bufferMemory / SlabSize, 4, int.MaxValue);
        _writers = new ThreadLocal<SlabWriter>(() => new SlabWriter(this));
    }

    /// <summary>This thread's writer, positioned at the start of a new record.</summary>
    public SlabWriter Writer => _writers.Value!;

    private Slab Take()
    {
        Slab? slab;
        lock (_free)
        {
            if (!_free.TryPop(out slab)) return new Slab(this);
        }
        slab.Reuse();
        return slab;
    }

    private void Recycle(Slab slab)
    {
        lock (_free)
        {
            if (_free.Count < _maxPooled) _free.Push(slab);
        }
    }

    /// <summary>One slab: records take consecutive slices; each holds a reference, as does the writer while it cuts from it.</summary>
    internal sealed class Slab(SerializationArena arena)
    {
        private int _references = 1;

        public byte[] Bytes { get; } = GC.AllocateUninitializedArray<byte>(SlabSize);

        public int Used { get; set; }

        public void Reuse()
        {
            Used = 0;
            _references = 1;
        }

        public void AddReference() => Interlocked.Increment(ref _references);

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) == 0) arena.Recycle(this);
        }
    }

    /// <summary>
    /// Writes one record's key and value at a time into the thread's slab (<see cref="IBufferWriter{T}"/>
    /// for the serializers), then hands the record its slice with <see cref="Commit"/>. The record's bytes
    /// are <c>_slab[_start.._position]</c>, or <c>_own[0.._position]</c> once it outgrew half a slab.
    /// </summary>
    internal sealed class SlabWriter(SerializationArena arena) : IBufferWriter<byte>
    {
        private Slab? _slab;
        private byte[]? _own;
        private int _start;
        private int _position;

        /// <summary>Bytes written for the current record.</summary>
        public int Written => _position - _start;

        public void Advance(int count) => _position += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint).AsMemory(_position);

        public Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).AsSpan(_position);

        /// <summary>Ends the record: returns what owns its bytes (a slab or an array, released once copied into a batch; null when empty).</summary>
        public object? Commit(out byte[] bytes, out int offset)
        {
            if (_own is { } own)
            {
                _own = null;
                Rewind();
                (bytes, offset) = (own, 0);
                return own;
            }
            if (_slab is not { } slab || Written == 0)
            {
                (bytes, offset) = ([], 0);
                return null;
            }
            slab.AddReference();
            slab.Used = _position;
            (bytes, offset) = (slab.Bytes, _start);
            _start = _position;
            return slab;
        }

        /// <summary>Forgets a record whose serializer threw.</summary>
        public void Abandon()
        {
            if (_own is { } own)
            {
                _own = null;
                ArrayPool<byte>.Shared.Return(own);
            }
            Rewind();
        }

        private void Rewind() => _start = _position = _slab?.Used ?? 0;

        /// <summary>Makes room for <paramref name="sizeHint"/> more bytes and returns the array the record is written in.</summary>
        private byte[] Reserve(int sizeHint)
        {
            int need = Math.Max(sizeHint, 1);
            int written = Written;
            if (_own is { } own)
            {
                if (own.Length - _position >= need) return own;
                return MoveToOwnArray(own.AsSpan(0, written), need);
            }
            if (_slab is { } slab && SlabSize - _position >= need) return slab.Bytes;
            if (written + need > SlabSize / 2) return MoveToOwnArray(_slab is null ? default : _slab.Bytes.AsSpan(_start, written), need);

            // A fresh slab: what this record has so far moves with it, and the old slab is let go.
            Slab next = arena.Take();
            if (_slab is not null)
            {
                _slab.Bytes.AsSpan(_start, written).CopyTo(next.Bytes);
                _slab.Release();
            }
            _slab = next;
            _start = 0;
            _position = written;
            return next.Bytes;
        }

        private byte[] MoveToOwnArray(ReadOnlySpan<byte> soFar, int need)
        {
            int written = soFar.Length;
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(written * 2, written + need));
            soFar.CopyTo(larger);
            if (_own is not null) ArrayPool<byte>.Shared.Return(_own);
            _own = larger;
            // The slab keeps its free space (from its Used) for the next record.
            _start = 0;
            _position = written;
            return larger;
        }
    }
}
