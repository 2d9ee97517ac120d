using Microsoft.Extensions.Logging;

namespace KafkaNative.Sim;

/// <summary>
/// The controller's view of crashed brokers it has not noticed yet. A crashed broker stops heartbeating;
/// KRaft's controller fences it (moves its leaderships and coordinators, drops it from the ISRs) only when
/// its session times out (<see cref="ClusterOptions.BrokerSessionTimeout"/>), so until then metadata still
/// names it. Timers run on <see cref="ClusterOptions.TimeProvider"/>.
/// </summary>
internal sealed class BrokerSessions(ClusterOptions options, ClusterController controller, ILogger logger) : IDisposable
{
    // Fencing happens under this lock so a restart cannot slip between a timeout and its fencing.
    private readonly object _lock = new();
    private readonly Dictionary<int, ITimer> _expiring = new();

    /// <summary>The broker crashed: fence it once its session times out, unless it is restarted or stopped first.</summary>
    public void Crashed(int brokerId)
    {
        lock (_lock)
        {
            if (_expiring.ContainsKey(brokerId)) return;
            ITimer timer = options.TimeProvider.CreateTimer(_ => Expire(brokerId), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _expiring.Add(brokerId, timer);
            // Armed only once registered, so even a zero timeout finds it.
            timer.Change(options.BrokerSessionTimeout, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// Fences a crashed broker now if its session has not timed out yet (it is coming back as a new
    /// incarnation, or being stopped); completes when the brokers have heard.
    /// </summary>
    public Task FenceNow(int brokerId)
    {
        lock (_lock)
        {
            if (!_expiring.Remove(brokerId, out ITimer? timer)) return Task.CompletedTask;
            timer.Dispose();
            return controller.BrokerStopped(brokerId);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (ITimer timer in _expiring.Values) timer.Dispose();
            _expiring.Clear();
        }
    }

    private void Expire(int brokerId)
    {
        lock (_lock)
        {
            if (!_expiring.Remove(brokerId, out ITimer? timer)) return;
            timer.Dispose();
            logger.LogInformation("Broker {Broker} missed its session timeout of {Timeout}: fenced", brokerId, options.BrokerSessionTimeout);
            _ = controller.BrokerStopped(brokerId);
        }
    }
}
