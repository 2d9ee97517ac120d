using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.TestSupport;

/// <summary>A request as the fake broker received it.</summary>
public sealed class FakeRequest
{
    private FakeRequest(FakeConnection connection, RequestHeader header, byte[] frame, int bodyOffset)
    {
        Connection = connection;
        Header = header;
        Frame = frame;
        BodyOffset = bodyOffset;
    }

    public FakeConnection Connection { get; }

    public RequestHeader Header { get; }

    public ApiKey ApiKey => (ApiKey)Header.RequestApiKey;

    public short Version => Header.RequestApiVersion;

    public int CorrelationId => Header.CorrelationId;

    public string? ClientId => Header.ClientId;

    /// <summary>The whole frame as received, without its size prefix.</summary>
    public byte[] Frame { get; }

    /// <summary>Where the body starts in <see cref="Frame"/>, after the header.</summary>
    public int BodyOffset { get; }

    public ReadOnlyMemory<byte> Body => Frame.AsMemory(BodyOffset);

    /// <summary>Parses the header of a request of any API: its version comes from the generated request types.</summary>
    public static FakeRequest Parse(FakeConnection connection, byte[] frame)
    {
        var apiKey = (ApiKey)(short)(frame[0] << 8 | frame[1]);
        short version = (short)(frame[2] << 8 | frame[3]);
        var reader = new KafkaReader(frame.AsMemory());
        RequestHeader header = RequestHeader.Read(ref reader, RequestHeaderVersions.For(apiKey, version));
        return new FakeRequest(connection, header, frame, reader.Position);
    }

    public T Read<T>() where T : class, IKafkaMessage<T>
    {
        var reader = new KafkaReader(Body);
        return T.Read(ref reader, Version);
    }

    public ValueTask RespondAsync<T>(T response, int? correlationId = null) where T : class, IKafkaResponse<T> =>
        RespondAtAsync(response, Version, correlationId);

    public async ValueTask RespondAtAsync<T>(T response, short version, int? correlationId = null) where T : class, IKafkaResponse<T>
    {
        using var buffer = new PooledBufferWriter();
        int start = Framing.BeginFrame(buffer);
        var writer = new KafkaWriter(buffer);
        new ResponseHeader { CorrelationId = correlationId ?? CorrelationId }.Write(ref writer, T.ResponseHeaderVersion(version));
        response.Write(ref writer, version);
        writer.Flush();
        Framing.EndFrame(buffer, start);
        byte[] frame = buffer.WrittenMemory.ToArray();
        Connection.Broker.Record(new CapturedResponse(T.ApiKey, version, frame[4..]));
        Connection.MarkAnswered();
        await Connection.WriteRawAsync(frame);
    }
}
