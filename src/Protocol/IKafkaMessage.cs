using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Protocol;

/// <summary>A message that can be written at any of its versions.</summary>
public interface IKafkaMessage
{
    /// <summary>Writes this message at <paramref name="version"/>.</summary>
    /// <exception cref="UnsupportedVersionException">The version is outside the message's valid versions, or a field set to a non-default value does not exist at it.</exception>
    void Write(ref KafkaWriter writer, short version);
}

/// <summary>A message type generated from a Kafka schema, readable at any of its versions.</summary>
/// <typeparam name="TSelf">The message type.</typeparam>
public interface IKafkaMessage<TSelf> : IKafkaMessage where TSelf : class, IKafkaMessage<TSelf>
{
    /// <summary>The lowest version of the schema.</summary>
    static abstract short LowestSupportedVersion { get; }

    /// <summary>The highest version of the schema.</summary>
    static abstract short HighestSupportedVersion { get; }

    /// <summary>True when <paramref name="version"/> uses compact encodings and tagged fields.</summary>
    static abstract bool IsFlexible(short version);

    /// <summary>Reads a message of <paramref name="version"/>.</summary>
    static abstract TSelf Read(ref KafkaReader reader, short version);
}

/// <summary>A request message: it has an API key and is sent after a request header.</summary>
/// <typeparam name="TSelf">The request type.</typeparam>
public interface IKafkaRequest<TSelf> : IKafkaMessage<TSelf> where TSelf : class, IKafkaRequest<TSelf>
{
    /// <summary>The API this request belongs to.</summary>
    static abstract ApiKey ApiKey { get; }

    /// <summary>The request header version that goes with <paramref name="version"/>.</summary>
    static abstract short RequestHeaderVersion(short version);
}

/// <summary>A request whose answer is <typeparamref name="TResponse"/>.</summary>
/// <typeparam name="TSelf">The request type.</typeparam>
/// <typeparam name="TResponse">The response type.</typeparam>
public interface IKafkaRequest<TSelf, TResponse> : IKafkaRequest<TSelf>
    where TSelf : class, IKafkaRequest<TSelf, TResponse>
    where TResponse : class, IKafkaResponse<TResponse>;

/// <summary>A response message: sent after a response header.</summary>
/// <typeparam name="TSelf">The response type.</typeparam>
public interface IKafkaResponse<TSelf> : IKafkaMessage<TSelf> where TSelf : class, IKafkaResponse<TSelf>
{
    /// <summary>The API this response belongs to.</summary>
    static abstract ApiKey ApiKey { get; }

    /// <summary>The response header version that goes with <paramref name="version"/>.</summary>
    static abstract short ResponseHeaderVersion(short version);
}
