namespace KafkaNative.Admin;

/// <summary>What kind of resource an ACL protects (values as on the wire).</summary>
public enum AclResourceType : sbyte
{
    /// <summary>Unknown to this client.</summary>
    Unknown = 0,

    /// <summary>Any resource type (filters only).</summary>
    Any = 1,

    /// <summary>A topic.</summary>
    Topic = 2,

    /// <summary>A consumer group.</summary>
    Group = 3,

    /// <summary>The cluster (resource name <c>kafka-cluster</c>).</summary>
    Cluster = 4,

    /// <summary>A transactional id.</summary>
    TransactionalId = 5,

    /// <summary>A delegation token.</summary>
    DelegationToken = 6,

    /// <summary>A user (for quotas and tokens).</summary>
    User = 7,
}

/// <summary>How an ACL's resource name is matched (values as on the wire).</summary>
public enum AclPatternType : sbyte
{
    /// <summary>Unknown to this client.</summary>
    Unknown = 0,

    /// <summary>Any pattern type with exactly this name (filters only).</summary>
    Any = 1,

    /// <summary>Every binding that applies to the named resource: literal ones of that name or <c>*</c>, and prefixed ones the name starts with (filters only).</summary>
    Match = 2,

    /// <summary>The name is the resource's name, or <c>*</c> for every resource of the type.</summary>
    Literal = 3,

    /// <summary>The name is a prefix of the resources' names.</summary>
    Prefixed = 4,
}

/// <summary>The operation an ACL allows or denies (values as on the wire).</summary>
public enum AclOperation : sbyte
{
    /// <summary>Unknown to this client.</summary>
    Unknown = 0,

    /// <summary>Any operation (filters only).</summary>
    Any = 1,

    /// <summary>Every operation.</summary>
    All = 2,

    /// <summary>Read.</summary>
    Read = 3,

    /// <summary>Write.</summary>
    Write = 4,

    /// <summary>Create.</summary>
    Create = 5,

    /// <summary>Delete.</summary>
    Delete = 6,

    /// <summary>Alter.</summary>
    Alter = 7,

    /// <summary>Describe.</summary>
    Describe = 8,

    /// <summary>Cluster action (inter-broker requests).</summary>
    ClusterAction = 9,

    /// <summary>Describe configs.</summary>
    DescribeConfigs = 10,

    /// <summary>Alter configs.</summary>
    AlterConfigs = 11,

    /// <summary>Idempotent write.</summary>
    IdempotentWrite = 12,

    /// <summary>Create delegation tokens.</summary>
    CreateTokens = 13,

    /// <summary>Describe delegation tokens.</summary>
    DescribeTokens = 14,
}

/// <summary>Whether an ACL allows or denies (values as on the wire).</summary>
public enum AclPermissionType : sbyte
{
    /// <summary>Unknown to this client.</summary>
    Unknown = 0,

    /// <summary>Either (filters only).</summary>
    Any = 1,

    /// <summary>Denies the operation; a deny wins over any allow.</summary>
    Deny = 2,

    /// <summary>Allows the operation.</summary>
    Allow = 3,
}

/// <summary>One ACL: who may (or may not) do what, from where, to which resources.</summary>
/// <param name="ResourceType">The kind of resource.</param>
/// <param name="ResourceName">The resource name, a prefix (with <see cref="AclPatternType.Prefixed"/>) or <c>*</c>.</param>
/// <param name="PatternType">How <paramref name="ResourceName"/> matches: <see cref="AclPatternType.Literal"/> or <see cref="AclPatternType.Prefixed"/>.</param>
/// <param name="Principal">The principal, <c>User:alice</c> (or <c>User:*</c> for everyone).</param>
/// <param name="Host">The client host, or <c>*</c> for any.</param>
/// <param name="Operation">The operation.</param>
/// <param name="Permission">Allow or deny.</param>
public sealed record AclBinding(
    AclResourceType ResourceType, string ResourceName, AclPatternType PatternType, string Principal, string Host, AclOperation Operation, AclPermissionType Permission);

/// <summary>Selects ACLs for <see cref="KafkaAdminClient.DescribeAclsAsync"/> and <see cref="KafkaAdminClient.DeleteAclsAsync"/>; a null or <c>Any</c> field matches every value.</summary>
/// <param name="ResourceType">The kind of resource, or <see cref="AclResourceType.Any"/>.</param>
/// <param name="ResourceName">The resource name, or null for any.</param>
/// <param name="PatternType"><see cref="AclPatternType.Any"/>, <see cref="AclPatternType.Match"/>, <see cref="AclPatternType.Literal"/> or <see cref="AclPatternType.Prefixed"/>.</param>
/// <param name="Principal">The principal, or null for any.</param>
/// <param name="Host">The host, or null for any.</param>
/// <param name="Operation">The operation, or <see cref="AclOperation.Any"/>.</param>
/// <param name="Permission">The permission, or <see cref="AclPermissionType.Any"/>.</param>
public sealed record AclBindingFilter(
    AclResourceType ResourceType = AclResourceType.Any,
    string? ResourceName = null,
    AclPatternType PatternType = AclPatternType.Any,
    string? Principal = null,
    string? Host = null,
    AclOperation Operation = AclOperation.Any,
    AclPermissionType Permission = AclPermissionType.Any)
{
    /// <summary>Matches every ACL.</summary>
    public static AclBindingFilter Any { get; } = new();
}
