using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol;

namespace KafkaNative.Client;

/// <summary>
/// The version ranges a broker announced in its ApiVersions response, and the choice of version for
/// each request: the highest both the broker and this client (stable versions only) support.
/// </summary>
internal sealed class BrokerApiVersions
{
    // Indexed by API key; Max < 0 marks an API the broker did not announce.
    private readonly (short Min, short Max)[] _ranges;
    private readonly Dictionary<string, short> _finalizedFeatures = new(StringComparer.Ordinal);

    /// <summary>Builds the table from a broker's ApiVersions response.</summary>
    public BrokerApiVersions(ApiVersionsResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        int size = 0;
        foreach (ApiVersionsResponse.ApiVersion api in response.ApiKeys)
            if (api.ApiKey >= 0) size = Math.Max(size, api.ApiKey + 1);
        _ranges = new (short, short)[size];
        Array.Fill(_ranges, ((short)0, (short)-1));
        foreach (ApiVersionsResponse.ApiVersion api in response.ApiKeys)
            if (api.ApiKey >= 0) _ranges[api.ApiKey] = (api.MinVersion, api.MaxVersion);
        Count = response.ApiKeys.Count;
        if (response.FinalizedFeaturesEpoch >= 0)
            foreach (ApiVersionsResponse.FinalizedFeatureKey feature in response.FinalizedFeatures) _finalizedFeatures[feature.Name] = feature.MaxVersionLevel;
    }

    /// <summary>The cluster-wide level of a feature (e.g. <c>transaction.version</c>), or 0 when the broker finalized none.</summary>
    public short FinalizedLevel(string feature) => _finalizedFeatures.GetValueOrDefault(feature);

    /// <summary>Number of APIs the broker announced.</summary>
    public int Count { get; }

    /// <summary>The broker's version range for <paramref name="api"/>, or null when it does not support it.</summary>
    public (short Min, short Max)? GetBrokerRange(ApiKey api) =>
        (uint)(short)api < (uint)_ranges.Length && _ranges[(short)api].Max >= 0 ? _ranges[(short)api] : null;

    /// <summary>True when some version of <typeparamref name="TRequest"/> works with this broker.</summary>
    public bool IsSupported<TRequest>() where TRequest : class, IKafkaRequest<TRequest> => TryNegotiate<TRequest>(null, out _);

    /// <summary>
    /// The version to send <typeparamref name="TRequest"/> at: the highest supported by both sides,
    /// capped at <paramref name="maxVersion"/> when given.
    /// </summary>
    /// <exception cref="UnsupportedVersionException">The ranges do not overlap.</exception>
    public short Negotiate<TRequest>(short? maxVersion = null) where TRequest : class, IKafkaRequest<TRequest>
    {
        if (TryNegotiate<TRequest>(maxVersion, out short version)) return version;
        (short Min, short Max)? broker = GetBrokerRange(TRequest.ApiKey);
        string brokerText = broker is { } r ? $"versions {r.Min}-{r.Max}" : "no version";
        throw new UnsupportedVersionException(
            $"{TRequest.ApiKey}: the broker supports {brokerText}; this client sends versions {ClientApiVersions.Lowest<TRequest>()}-{ClientApiVersions.Highest<TRequest>()}" +
            (maxVersion is { } m ? $" (capped at {m} by the caller)" : "") + ".");
    }

    /// <summary>This client's highest version, raised where this broker's finalized features make a newer one stable.</summary>
    private short HighestFor<TRequest>() where TRequest : class, IKafkaRequest<TRequest>
    {
        short highest = ClientApiVersions.Highest<TRequest>();
        return ClientApiVersions.FeatureUnlocks.TryGetValue(TRequest.ApiKey, out var unlock) && FinalizedLevel(unlock.Feature) >= unlock.Level
            ? Math.Max(highest, Math.Min(unlock.Version, TRequest.HighestSupportedVersion))
            : highest;
    }

    private bool TryNegotiate<TRequest>(short? maxVersion, out short version) where TRequest : class, IKafkaRequest<TRequest>
    {
        version = -1;
        if (GetBrokerRange(TRequest.ApiKey) is not { } broker) return false;
        int high = Math.Min(broker.Max, HighestFor<TRequest>());
        if (maxVersion is { } cap) high = Math.Min(high, cap);
        int low = Math.Max(broker.Min, ClientApiVersions.Lowest<TRequest>());
        if (high < low) return false;
        version = (short)high;
        return true;
    }
}
