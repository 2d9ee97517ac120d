using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Acls;

namespace KafkaNative.Sim.Handlers;

/// <summary>CreateAcls: stores each binding Kafka would accept; the others get INVALID_REQUEST with the reason.</summary>
internal static class CreateAclsHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, CreateAclsRequest request)
    {
        var response = new CreateAclsResponse();
        foreach (CreateAclsRequest.AclCreation creation in request.Creations)
        {
            var binding = new AclBinding(creation.ResourceType, creation.ResourceName, creation.ResourcePatternType,
                creation.Principal, creation.Host, creation.Operation, creation.PermissionType);
            string? invalid = Invalid(binding);
            if (invalid is null) broker.Cluster.Acls.Add(binding);
            response.Results.Add(new CreateAclsResponse.AclCreationResult
            {
                ErrorCode = (short)(invalid is null ? ErrorCode.None : ErrorCode.InvalidRequest),
                ErrorMessage = invalid,
            });
        }
        context.Respond(response);
    }

    public static CreateAclsResponse Error(CreateAclsRequest request, ErrorCode error, short version) => new()
    {
        Results = request.Creations.Select(_ => new CreateAclsResponse.AclCreationResult { ErrorCode = (short)error, ErrorMessage = null }).ToList(),
    };

    // Kafka's AclControlManager.validateNewAcl: a binding names one concrete resource, operation and permission.
    private static string? Invalid(AclBinding binding) =>
        binding.ResourceType is AclCodes.Unknown or AclCodes.Any or > AclCodes.MaxResourceType ? $"Invalid resourceType {binding.ResourceType}"
        : binding.PatternType is not (AclCodes.Literal or AclCodes.Prefixed) ? $"Invalid patternType {binding.PatternType}"
        : binding.Operation is AclCodes.Unknown or AclCodes.Any or > AclCodes.MaxOperation ? $"Invalid operation {binding.Operation}"
        : binding.Permission is AclCodes.Unknown or AclCodes.Any or > AclCodes.MaxPermission ? $"Invalid permissionType {binding.Permission}"
        : binding.ResourceName.Length == 0 ? "Resource name should not be empty"
        : binding.Principal.IndexOf(':') <= 0 ? $"Could not parse principal '{binding.Principal}': expected TYPE:NAME"
        : null;
}

/// <summary>DescribeAcls: the stored bindings one filter matches, grouped by resource pattern.</summary>
internal static class DescribeAclsHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, DescribeAclsRequest request)
    {
        var filter = new AclFilter(request.ResourceTypeFilter, request.ResourceNameFilter, request.PatternTypeFilter,
            request.PrincipalFilter, request.HostFilter, request.Operation, request.PermissionType);
        if (filter.Invalid() is string invalid)
        {
            context.Respond(new DescribeAclsResponse { ErrorCode = (short)ErrorCode.InvalidRequest, ErrorMessage = invalid });
            return;
        }
        var response = new DescribeAclsResponse { ErrorMessage = null };
        foreach (var resource in broker.Cluster.Acls.Find(filter).GroupBy(b => (b.ResourceType, b.ResourceName, b.PatternType)))
        {
            response.Resources.Add(new DescribeAclsResponse.DescribeAclsResource
            {
                ResourceType = resource.Key.ResourceType,
                ResourceName = resource.Key.ResourceName,
                PatternType = resource.Key.PatternType,
                Acls = resource.Select(b => new DescribeAclsResponse.AclDescription { Principal = b.Principal, Host = b.Host, Operation = b.Operation, PermissionType = b.Permission }).ToList(),
            });
        }
        context.Respond(response);
    }

    public static DescribeAclsResponse Error(DescribeAclsRequest request, ErrorCode error, short version) => new() { ErrorCode = (short)error, ErrorMessage = null };
}

/// <summary>DeleteAcls: removes what each filter matches and returns the removed bindings, filter by filter.</summary>
internal static class DeleteAclsHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, DeleteAclsRequest request)
    {
        var response = new DeleteAclsResponse();
        foreach (DeleteAclsRequest.DeleteAclsFilter wire in request.Filters)
        {
            var filter = new AclFilter(wire.ResourceTypeFilter, wire.ResourceNameFilter, wire.PatternTypeFilter,
                wire.PrincipalFilter, wire.HostFilter, wire.Operation, wire.PermissionType);
            if (filter.Invalid() is string invalid)
            {
                response.FilterResults.Add(new DeleteAclsResponse.DeleteAclsFilterResult { ErrorCode = (short)ErrorCode.InvalidRequest, ErrorMessage = invalid });
                continue;
            }
            response.FilterResults.Add(new DeleteAclsResponse.DeleteAclsFilterResult
            {
                ErrorMessage = null,
                MatchingAcls = broker.Cluster.Acls.Remove(filter).Select(b => new DeleteAclsResponse.DeleteAclsMatchingAcl
                {
                    ErrorMessage = null,
                    ResourceType = b.ResourceType,
                    ResourceName = b.ResourceName,
                    PatternType = b.PatternType,
                    Principal = b.Principal,
                    Host = b.Host,
                    Operation = b.Operation,
                    PermissionType = b.Permission,
                }).ToList(),
            });
        }
        context.Respond(response);
    }

    public static DeleteAclsResponse Error(DeleteAclsRequest request, ErrorCode error, short version) => new()
    {
        FilterResults = request.Filters.Select(_ => new DeleteAclsResponse.DeleteAclsFilterResult { ErrorCode = (short)error, ErrorMessage = null }).ToList(),
    };
}
