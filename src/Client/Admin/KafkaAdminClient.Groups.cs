using KafkaNative.Client;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol;

namespace KafkaNative.Admin;

// Consumer groups: list, describe and delete.
public sealed partial class KafkaAdminClient
{
    /// <summary>Lists the groups of every broker, ordered by group id.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">A broker failed to list its groups.</exception>
    public async Task<IReadOnlyList<GroupListing>> ListGroupsAsync(CancellationToken cancellationToken = default)
    {
        ClusterMetadata metadata = await _cluster.GetMetadataAsync(cancellationToken).ConfigureAwait(false);
        var groups = new Dictionary<string, GroupListing>();
        foreach (int nodeId in metadata.Brokers.Keys.Order())
        {
            KafkaBroker broker = await BrokerAsync(nodeId, cancellationToken).ConfigureAwait(false);
            ListGroupsResponse response = await broker.SendAsync<ListGroupsRequest, ListGroupsResponse>(new ListGroupsRequest(), cancellationToken).ConfigureAwait(false);
            KafkaErrorException.ThrowIfError(response.ErrorCode, $"ListGroups on broker {nodeId}");
            foreach (ListGroupsResponse.ListedGroup g in response.Groups)
                groups[g.GroupId] = new GroupListing(g.GroupId, g.ProtocolType, NullIfEmpty(g.GroupState), NullIfEmpty(g.GroupType));
        }
        return groups.Values.OrderBy(g => g.GroupId, StringComparer.Ordinal).ToList();
    }

    /// <summary>Describes groups, asking each group's coordinator.</summary>
    /// <param name="groupIds">The groups.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">A group could not be described (GROUP_ID_NOT_FOUND, COORDINATOR_NOT_AVAILABLE…).</exception>
    public async Task<IReadOnlyList<GroupDescription>> DescribeGroupsAsync(IEnumerable<string> groupIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupIds);
        var descriptions = new List<GroupDescription>();
        foreach (string groupId in groupIds)
        {
            KafkaBroker coordinator = await CoordinatorAsync(groupId, cancellationToken).ConfigureAwait(false);
            DescribeGroupsResponse response = await coordinator.SendAsync<DescribeGroupsRequest, DescribeGroupsResponse>(
                new DescribeGroupsRequest { Groups = [groupId] }, cancellationToken).ConfigureAwait(false);
            foreach (DescribeGroupsResponse.DescribedGroup g in response.Groups)
            {
                KafkaErrorException.ThrowIfError(g.ErrorCode, $"DescribeGroups {g.GroupId}");
                descriptions.Add(new GroupDescription(g.GroupId, g.GroupState, g.ProtocolType, g.ProtocolData,
                    g.Members.Select(m => new GroupMemberDescription(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost)).ToList()));
            }
        }
        return descriptions;
    }

    /// <summary>Deletes groups with their committed offsets, asking each group's coordinator.</summary>
    /// <param name="groupIds">The groups; each must have no active members.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">A group could not be deleted: NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND when it does not exist.</exception>
    public async Task DeleteGroupsAsync(IEnumerable<string> groupIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupIds);
        var outcomes = new List<(string, short, string?)>();
        foreach (string groupId in groupIds)
        {
            KafkaBroker coordinator = await CoordinatorAsync(groupId, cancellationToken).ConfigureAwait(false);
            DeleteGroupsResponse response = await coordinator.SendAsync<DeleteGroupsRequest, DeleteGroupsResponse>(
                new DeleteGroupsRequest { GroupsNames = [groupId] }, cancellationToken).ConfigureAwait(false);
            outcomes.AddRange(response.Results.Select(r => (r.GroupId, r.ErrorCode, (string?)null)));
        }
        ThrowIfAnyFailed("DeleteGroups", outcomes);
    }
}
