using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Client;

/// <summary>Decodes a response frame: the response header, then the body at the version the request was sent at.</summary>
internal static class ResponseDecoder
{
    /// <exception cref="KafkaProtocolException">The frame does not decode, or has bytes left over.</exception>
    public static TResponse Decode<TResponse>(ref KafkaReader reader, short version) where TResponse : class, IKafkaResponse<TResponse>
    {
        reader.ReadInt32("correlation_id");
        if (TResponse.ResponseHeaderVersion(version) >= 1) SkipTaggedFields(ref reader);
        TResponse response = TResponse.Read(ref reader, version);
        reader.EnsureEnd($"{TResponse.ApiKey} response v{version}");
        return response;
    }

    /// <summary>
    /// Decodes an ApiVersions response. A broker that does not support the requested version answers
    /// at version 0 (KIP-511), so a response that does not parse at the requested version is read again as v0.
    /// </summary>
    public static ApiVersionsResponse DecodeApiVersions(ReadOnlySpan<byte> frame, short version)
    {
        try
        {
            var reader = new KafkaReader(frame);
            return Decode<ApiVersionsResponse>(ref reader, version);
        }
        catch (KafkaProtocolException) when (version != 0)
        {
            var reader = new KafkaReader(frame);
            return Decode<ApiVersionsResponse>(ref reader, 0);
        }
    }

    private static void SkipTaggedFields(ref KafkaReader reader)
    {
        uint count = reader.ReadUnsignedVarInt("header tagged field count");
        for (uint i = 0; i < count; i++)
        {
            reader.ReadUnsignedVarInt("header tag");
            uint size = reader.ReadUnsignedVarInt("header tagged field size");
            if (size > (uint)reader.Remaining) throw reader.Error($"Tagged field size {size} exceeds the {reader.Remaining} bytes that remain", "header tagged field size");
            reader.Skip((int)size, "header tagged field");
        }
    }
}
