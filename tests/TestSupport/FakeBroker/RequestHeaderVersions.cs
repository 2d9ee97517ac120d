using System.Collections.Frozen;
using System.Reflection;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.TestSupport;

/// <summary>
/// The request header version of every API at every version, read once from the generated request types, so a
/// fake broker can parse the header of any request a client sends (Protocol keeps no table by API key).
/// </summary>
public static class RequestHeaderVersions
{
    private static readonly FrozenDictionary<ApiKey, Func<short, short>> ByApi = typeof(ApiVersionsRequest).Assembly.GetTypes()
        .Where(type => type.IsClass && type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IKafkaRequest<>)))
        .ToFrozenDictionary(
            type => (ApiKey)type.GetProperty(nameof(IKafkaRequest<ApiVersionsRequest>.ApiKey), BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!,
            type => type.GetMethod(nameof(IKafkaRequest<ApiVersionsRequest>.RequestHeaderVersion), BindingFlags.Public | BindingFlags.Static)!
                .CreateDelegate<Func<short, short>>());

    /// <summary>The header version a request of <paramref name="api"/> at <paramref name="version"/> is sent with.</summary>
    public static short For(ApiKey api, short version) =>
        ByApi.TryGetValue(api, out Func<short, short>? headerVersion)
            ? headerVersion(version)
            : throw new InvalidOperationException($"No generated request type has API key {api}.");
}
