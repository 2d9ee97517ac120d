using KafkaNative.Client.Diagnostics;
using KafkaNative.Protocol;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Client;

/// <summary>
/// Re-authenticates a connection before the SASL session the broker granted expires (KIP-368). Like
/// the Java client it picks a random point between 85% and 95% of the lifetime, so connections
/// opened together do not all re-authenticate at once.
/// </summary>
internal sealed class ReauthenticationLoop(BrokerConnection connection, KafkaSaslOptions sasl, TimeSpan lifetime, TimeProvider time, ILogger logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (lifetime > TimeSpan.Zero)
            {
                await Task.Delay(lifetime * (0.85 + Random.Shared.NextDouble() * 0.10), time, cancellationToken).ConfigureAwait(false);
                Log.Reauthenticating(logger, connection.NodeId);
                lifetime = await connection.ReauthenticateAsync(sasl, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (exception is KafkaException or ObjectDisposedException)
        {
            connection.Fault(exception);
        }
    }
}
