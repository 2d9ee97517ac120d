using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Admin;

// ACLs: describe, create and delete (any broker answers; KRaft brokers forward the changes to the controller).
public sealed partial class KafkaAdminClient
{
    /// <summary>Lists the ACLs <paramref name="filter"/> matches.</summary>
    /// <param name="filter">Which ACLs; <see cref="AclBindingFilter.Any"/> for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">The broker refused (SECURITY_DISABLED without an authorizer, INVALID_REQUEST for a bad filter…).</exception>
    public async Task<IReadOnlyList<AclBinding>> DescribeAclsAsync(AclBindingFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var request = new DescribeAclsRequest
        {
            ResourceTypeFilter = (sbyte)filter.ResourceType,
            ResourceNameFilter = filter.ResourceName,
            PatternTypeFilter = (sbyte)filter.PatternType,
            PrincipalFilter = filter.Principal,
            HostFilter = filter.Host,
            Operation = (sbyte)filter.Operation,
            PermissionType = (sbyte)filter.Permission,
        };
        KafkaBroker broker = await ControllerAsync(cancellationToken).ConfigureAwait(false);
        DescribeAclsResponse response = await broker.SendAsync<DescribeAclsRequest, DescribeAclsResponse>(request, cancellationToken).ConfigureAwait(false);
        KafkaErrorException.ThrowIfError(response.ErrorCode, "DescribeAcls", response.ErrorMessage);
        return response.Resources
            .SelectMany(r => r.Acls.Select(a => new AclBinding((AclResourceType)r.ResourceType, r.ResourceName, (AclPatternType)r.PatternType,
                a.Principal, a.Host, (AclOperation)a.Operation, (AclPermissionType)a.PermissionType)))
            .ToList();
    }

    /// <summary>Creates ACLs; creating one that exists already changes nothing.</summary>
    /// <param name="bindings">The ACLs, each with a concrete resource type, pattern type (literal or prefixed), operation and permission.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">An ACL was refused (INVALID_REQUEST with the reason, SECURITY_DISABLED…); the others were created.</exception>
    public async Task CreateAclsAsync(IEnumerable<AclBinding> bindings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bindings);
        List<AclBinding> list = bindings.ToList();
        if (list.Count == 0) return;
        var request = new CreateAclsRequest
        {
            Creations = list.Select(b => new CreateAclsRequest.AclCreation
            {
                ResourceType = (sbyte)b.ResourceType,
                ResourceName = b.ResourceName,
                ResourcePatternType = (sbyte)b.PatternType,
                Principal = b.Principal,
                Host = b.Host,
                Operation = (sbyte)b.Operation,
                PermissionType = (sbyte)b.Permission,
            }).ToList(),
        };
        KafkaBroker broker = await ControllerAsync(cancellationToken).ConfigureAwait(false);
        CreateAclsResponse response = await broker.SendAsync<CreateAclsRequest, CreateAclsResponse>(request, cancellationToken).ConfigureAwait(false);
        // Results come back in the order of the creations.
        ThrowIfAnyFailed("CreateAcls", response.Results.Zip(list, (r, b) => (Describe(b), r.ErrorCode, r.ErrorMessage)));
    }

    /// <summary>Deletes the ACLs the filters match and returns them.</summary>
    /// <param name="filters">Which ACLs to delete.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The deleted ACLs, filter after filter.</returns>
    /// <exception cref="KafkaErrorException">A filter was refused (INVALID_REQUEST…); the other filters' ACLs were deleted.</exception>
    public async Task<IReadOnlyList<AclBinding>> DeleteAclsAsync(IEnumerable<AclBindingFilter> filters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filters);
        List<AclBindingFilter> list = filters.ToList();
        if (list.Count == 0) return [];
        var request = new DeleteAclsRequest
        {
            Filters = list.Select(f => new DeleteAclsRequest.DeleteAclsFilter
            {
                ResourceTypeFilter = (sbyte)f.ResourceType,
                ResourceNameFilter = f.ResourceName,
                PatternTypeFilter = (sbyte)f.PatternType,
                PrincipalFilter = f.Principal,
                HostFilter = f.Host,
                Operation = (sbyte)f.Operation,
                PermissionType = (sbyte)f.Permission,
            }).ToList(),
        };
        KafkaBroker broker = await ControllerAsync(cancellationToken).ConfigureAwait(false);
        DeleteAclsResponse response = await broker.SendAsync<DeleteAclsRequest, DeleteAclsResponse>(request, cancellationToken).ConfigureAwait(false);
        ThrowIfAnyFailed("DeleteAcls", response.FilterResults.Zip(list, (r, f) => (f.ToString(), r.ErrorCode, r.ErrorMessage)));
        return response.FilterResults
            .SelectMany(r => r.MatchingAcls.Where(m => m.ErrorCode == (short)ErrorCode.None))
            .Select(m => new AclBinding((AclResourceType)m.ResourceType, m.ResourceName, (AclPatternType)m.PatternType,
                m.Principal, m.Host, (AclOperation)m.Operation, (AclPermissionType)m.PermissionType))
            .ToList();
    }

    private static string Describe(AclBinding b) => $"{b.Permission} {b.Principal} {b.Operation} on {b.ResourceType}:{b.PatternType}:{b.ResourceName}";
}
