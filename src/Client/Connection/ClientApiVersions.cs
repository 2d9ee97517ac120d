using System.Collections.Frozen;
using KafkaNative.Protocol;

namespace KafkaNative.Client;

/// <summary>
/// The versions this client may send. The generated messages know every version in the schemas,
/// but a schema marked <c>latestVersionUnstable</c> has a newest version still under development,
/// which clients must not use; this table caps those APIs at their highest stable version.
/// </summary>
internal static class ClientApiVersions
{
    /// <summary>
    /// Highest stable version of the APIs whose schema's newest version is unstable; -1 when no
    /// version is stable yet. Checked against the schemas by a test, so regenerating messages
    /// from newer schemas flags stale entries.
    /// </summary>
    public static readonly FrozenDictionary<ApiKey, short> StableCaps = new Dictionary<ApiKey, short>
    {
        [ApiKey.EndTxn] = 4,
        [ApiKey.ConsumerGroupHeartbeat] = 0,
        [ApiKey.ShareGroupHeartbeat] = -1,
        [ApiKey.ShareGroupDescribe] = -1,
        [ApiKey.ShareFetch] = -1,
        [ApiKey.ShareAcknowledge] = -1,
        [ApiKey.InitializeShareGroupState] = -1,
        [ApiKey.ReadShareGroupState] = -1,
        [ApiKey.WriteShareGroupState] = -1,
        [ApiKey.DeleteShareGroupState] = -1,
        [ApiKey.ReadShareGroupStateSummary] = -1,
    }.ToFrozenDictionary();

    /// <summary>
    /// Versions a cluster feature makes stable where the schemas still mark them unstable: Kafka 4.0 declared
    /// EndTxn v5 stable together with Transactions V2, which a cluster turns on by finalizing
    /// <c>transaction.version</c> 2 (KIP-890); the schemas here predate that.
    /// </summary>
    public static readonly FrozenDictionary<ApiKey, (string Feature, short Level, short Version)> FeatureUnlocks =
        new Dictionary<ApiKey, (string, short, short)>
        {
            [ApiKey.EndTxn] = ("transaction.version", 2, 5),
        }.ToFrozenDictionary();

    /// <summary>The highest version of <typeparamref name="TRequest"/> this client sends.</summary>
    public static short Highest<TRequest>() where TRequest : class, IKafkaRequest<TRequest> => Cache<TRequest>.Highest;

    /// <summary>The lowest version of <typeparamref name="TRequest"/> this client sends.</summary>
    public static short Lowest<TRequest>() where TRequest : class, IKafkaRequest<TRequest> => TRequest.LowestSupportedVersion;

    private static class Cache<TRequest> where TRequest : class, IKafkaRequest<TRequest>
    {
        public static readonly short Highest = StableCaps.TryGetValue(TRequest.ApiKey, out short cap)
            ? Math.Min(cap, TRequest.HighestSupportedVersion)
            : TRequest.HighestSupportedVersion;
    }
}
