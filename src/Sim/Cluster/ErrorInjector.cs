using KafkaNative.Protocol;

namespace KafkaNative.Sim;

/// <summary>Answers a chosen error for a chosen API at a given rate, on one broker or all; decisions come from a seeded generator.</summary>
internal sealed class ErrorInjector(int seed)
{
    private readonly object _lock = new();
    private readonly Random _random = new(seed ^ 0x5eed);
    private readonly List<Rule> _rules = new();

    public void Add(ApiKey api, ErrorCode error, double rate, int? brokerId)
    {
        if (rate is < 0 or > 1 || double.IsNaN(rate)) throw new ArgumentOutOfRangeException(nameof(rate), "Rate must be between 0 and 1.");
        lock (_lock) _rules.Add(new Rule(api, error, rate, brokerId));
    }

    public void Clear()
    {
        lock (_lock) _rules.Clear();
    }

    public bool TryInject(int brokerId, ApiKey api, out ErrorCode error)
    {
        lock (_lock)
        {
            foreach (Rule rule in _rules)
            {
                if (rule.Api != api || (rule.BrokerId is int only && only != brokerId)) continue;
                if (_random.NextDouble() < rule.Rate)
                {
                    error = rule.Error;
                    return true;
                }
            }
        }
        error = ErrorCode.None;
        return false;
    }

    private sealed record Rule(ApiKey Api, ErrorCode Error, double Rate, int? BrokerId);
}
