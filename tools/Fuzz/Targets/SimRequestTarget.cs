using System.Buffers.Binary;
using KafkaNative.Fuzz.Engine;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;
using KafkaNative.Sim;

namespace KafkaNative.Fuzz.Targets;

/// <summary>
/// The Sim's request decoder: a frame (size prefix removed) read as ClientSession.Decode reads it:
/// api key, version and correlation id, the API looked up in the broker's table, then header and body.
/// A Produce request's records also go through the record reader, as the Sim's log does on append.
/// </summary>
internal static class SimRequestTarget
{
    public const string Name = "sim-request";

    public static FuzzTarget Create() => new(Name, Run, Seeds, e => e is UnsupportedVersionException);

    private static bool Run(byte[] frame)
    {
        if (frame.Length < 8) return false; // the broker closes the session: nothing is decoded
        short apiKey = BinaryPrimitives.ReadInt16BigEndian(frame);
        short apiVersion = BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(2));
        ApiDescriptor? api = ApiTable.Find(apiKey);
        if (api is null || !api.Supports(apiVersion)) return false;
        var reader = new KafkaReader(frame.AsMemory());
        RequestHeader.Read(ref reader, api.RequestHeaderVersion(apiVersion));
        object body = api.Decode(ref reader, apiVersion);
        if (body is ProduceRequest produce)
        {
            using var records = new Protocol.Records.RecordBatchReader { MaxDecompressedBytes = RecordTargets.MaxDecompressedBytes };
            foreach (var topic in produce.TopicData)
                foreach (var partition in topic.PartitionData)
                    if (partition.Records is { } bytes) RecordTargets.ReadAll(records, bytes);
        }
        return true;
    }

    /// <summary>A default request of every API the Sim serves, at every version it serves.</summary>
    private static IEnumerable<byte[]> Seeds() =>
        ApiTable.All.SelectMany(api => Enumerable.Range(api.MinVersion, api.MaxVersion - api.MinVersion + 1).Select(v =>
        {
            var version = (short)v;
            var header = new RequestHeader { RequestApiKey = (short)api.Key, RequestApiVersion = version, CorrelationId = 3, ClientId = "fuzz" };
            return MessageBytes.Write((header, api.RequestHeaderVersion(version)), (DefaultRequest(api.Key), version));
        }));

    private static IKafkaMessage DefaultRequest(ApiKey key) =>
        (IKafkaMessage)Activator.CreateInstance(typeof(ProduceRequest).Assembly.GetType($"KafkaNative.Protocol.Messages.{key}Request")!)!;
}
