using System.Buffers;

namespace KafkaNative.Client;

/// <summary>One response frame (without its size prefix) copied into an array rented from the shared pool.</summary>
internal readonly struct ResponseFrame(byte[] buffer, int length)
{
    public byte[] Buffer { get; } = buffer;

    public int Length { get; } = length;

    public ReadOnlyMemory<byte> Memory => Buffer.AsMemory(0, Length);

    public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, Length);

    public static ResponseFrame CopyOf(in ReadOnlySequence<byte> frame)
    {
        int length = checked((int)frame.Length);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        frame.CopyTo(buffer);
        return new ResponseFrame(buffer, length);
    }

    public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
}
