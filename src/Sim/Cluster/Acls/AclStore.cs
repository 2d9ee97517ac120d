namespace KafkaNative.Sim.Acls;

/// <summary>
/// The cluster's ACLs, as CreateAcls, DescribeAcls and DeleteAcls see them. They are stored only, never
/// enforced: every request is served whatever the ACLs say, since the Sim authenticates but does not authorize.
/// </summary>
internal sealed class AclStore
{
    private readonly Lock _lock = new();
    private readonly List<AclBinding> _bindings = new();

    /// <summary>Stores <paramref name="binding"/>; storing one that exists already changes nothing, as in Kafka.</summary>
    public void Add(AclBinding binding)
    {
        lock (_lock)
        {
            if (!_bindings.Contains(binding)) _bindings.Add(binding);
        }
    }

    public IReadOnlyList<AclBinding> Find(AclFilter filter)
    {
        lock (_lock) return _bindings.Where(filter.Matches).ToList();
    }

    /// <summary>Removes the bindings <paramref name="filter"/> matches and returns them.</summary>
    public IReadOnlyList<AclBinding> Remove(AclFilter filter)
    {
        lock (_lock)
        {
            List<AclBinding> matched = _bindings.Where(filter.Matches).ToList();
            _bindings.RemoveAll(filter.Matches);
            return matched;
        }
    }
}
