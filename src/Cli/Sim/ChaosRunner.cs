using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Sim;

/// <summary>Applies a chaos schedule to a cluster at its times, counted from when the runner starts.</summary>
internal sealed class ChaosRunner(SimulatedCluster cluster, IReadOnlyList<ChaosEvent> schedule, ILogger logger)
{
    public async Task RunAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        foreach (ChaosEvent chaos in schedule)
        {
            TimeSpan wait = chaos.At - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct).ConfigureAwait(false);
            logger.LogInformation("Chaos at {Time}: {Action}", chaos.At, chaos.Action);
            try
            {
                await chaos.Action.ApplyAsync(cluster).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
            {
                logger.LogWarning("Chaos action {Action} failed: {Reason}", chaos.Action, ex.Message);
            }
        }
    }
}
