namespace KafkaNative.Producer.Pipeline;

/// <summary>Idempotent sequence numbers: per partition, counting records, wrapping from int.MaxValue to 0 as Kafka does.</summary>
internal static class Sequences
{
    public static int Next(int sequence, int records) => (int)(((long)sequence + records) % ((long)int.MaxValue + 1));
}
