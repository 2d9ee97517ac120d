namespace KafkaNative.Sim.Acls;

/// <summary>Kafka's wire codes for ACL fields (ResourceType, PatternType, AclOperation, AclPermissionType), as far as the Sim needs them.</summary>
internal static class AclCodes
{
    public const sbyte Unknown = 0;

    /// <summary>ANY in every filter field: matches whatever is stored.</summary>
    public const sbyte Any = 1;

    /// <summary>Pattern type MATCH (filters only): the bindings that would apply to the named resource.</summary>
    public const sbyte Match = 2;

    public const sbyte Literal = 3;

    public const sbyte Prefixed = 4;

    /// <summary>Highest resource type (USER), operation (DESCRIBE_TOKENS) and permission (ALLOW) codes Kafka defines.</summary>
    public const sbyte MaxResourceType = 7, MaxOperation = 14, MaxPermission = 3;

    /// <summary>The resource name a LITERAL binding uses to apply to every resource of its type.</summary>
    public const string Wildcard = "*";
}

/// <summary>One stored ACL: a resource pattern and an access control entry, all fields as their wire codes.</summary>
internal sealed record AclBinding(sbyte ResourceType, string ResourceName, sbyte PatternType, string Principal, string Host, sbyte Operation, sbyte Permission);

/// <summary>
/// A DescribeAcls or DeleteAcls filter, matched as Kafka's ResourcePatternFilter and AccessControlEntryFilter match:
/// ANY or null matches every value; pattern type MATCH with a name selects the LITERAL bindings of that name or
/// of the wildcard and the PREFIXED bindings whose name starts the given name.
/// </summary>
internal sealed record AclFilter(sbyte ResourceType, string? ResourceName, sbyte PatternType, string? Principal, string? Host, sbyte Operation, sbyte Permission)
{
    /// <summary>Why Kafka would refuse this filter, or null when it is valid.</summary>
    public string? Invalid() =>
        ResourceType is AclCodes.Unknown or > AclCodes.MaxResourceType ? $"unknown resource type {ResourceType}"
        : PatternType is AclCodes.Unknown or > AclCodes.Prefixed ? $"unknown pattern type {PatternType}"
        : Operation is AclCodes.Unknown or > AclCodes.MaxOperation ? $"unknown operation {Operation}"
        : Permission is AclCodes.Unknown or > AclCodes.MaxPermission ? $"unknown permission type {Permission}"
        : null;

    public bool Matches(AclBinding binding) =>
        MatchesPattern(binding)
        && (Principal is null || Principal == binding.Principal)
        && (Host is null || Host == binding.Host)
        && (Operation == AclCodes.Any || Operation == binding.Operation)
        && (Permission == AclCodes.Any || Permission == binding.Permission);

    private bool MatchesPattern(AclBinding binding)
    {
        if (ResourceType != AclCodes.Any && ResourceType != binding.ResourceType) return false;
        if (PatternType is not (AclCodes.Any or AclCodes.Match) && PatternType != binding.PatternType) return false;
        if (ResourceName is null) return true;
        if (PatternType != AclCodes.Match) return ResourceName == binding.ResourceName;
        return binding.PatternType == AclCodes.Literal
            ? ResourceName == binding.ResourceName || binding.ResourceName == AclCodes.Wildcard
            : ResourceName.StartsWith(binding.ResourceName, StringComparison.Ordinal);
    }
}
