using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// The producer id and epoch of an idempotent producer (InitProducerId), and the epoch bump that
/// lets a partition start its sequence numbers over after a hole (KIP-360).
/// </summary>
internal sealed class IdempotenceManager(ProducerContext context)
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile ProducerIdentity? _current;

    /// <summary>The identity, asking the cluster for one the first time.</summary>
    public async ValueTask<ProducerIdentity> GetAsync(CancellationToken cancellationToken)
    {
        ProducerIdentity? current = _current;
        if (current is not null) return current;
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _current ??= await InitAsync(null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Bumps the epoch past <paramref name="seen"/>; callers that saw the same identity share one bump.</summary>
    public async ValueTask<ProducerIdentity> BumpAsync(ProducerIdentity seen, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current is { } current && current != seen) return current;
            ProducerIdentity bumped = await InitAsync(seen, cancellationToken).ConfigureAwait(false);
            context.Logger.LogInformation("Producer epoch bumped from {Old} to {New}", seen, bumped);
            _current = bumped;
            return bumped;
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<ProducerIdentity> InitAsync(ProducerIdentity? bumpFrom, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            var request = new InitProducerIdRequest
            {
                TransactionalId = null,
                TransactionTimeoutMs = -1,
                ProducerId = bumpFrom?.ProducerId ?? Sentinels.NoProducerId,
                ProducerEpoch = bumpFrom?.Epoch ?? Sentinels.NoProducerEpoch,
            };
            try
            {
                InitProducerIdResponse response = await context.Cluster
                    .SendToAnyBrokerAsync<InitProducerIdRequest, InitProducerIdResponse>(request, cancellationToken).ConfigureAwait(false);
                var error = (ErrorCode)response.ErrorCode;
                if (error == ErrorCode.None) return new ProducerIdentity(response.ProducerId, response.ProducerEpoch);
                if (!error.IsRetriable()) throw new KafkaErrorException(error, "InitProducerId failed", (string?)null);
            }
            catch (UnsupportedVersionException) when (bumpFrom is not null)
            {
                // Brokers before KIP-360 cannot bump an epoch; a fresh producer id starts sequences over just as well.
                bumpFrom = null;
                continue;
            }
            catch (KafkaErrorException e) when (e.IsRetriable)
            {
                context.Logger.LogDebug(e, "InitProducerId attempt {Attempt} failed; retrying", attempt);
            }
            await Task.Delay(context.Backoff.Delay(attempt), context.Time, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>An idempotent producer's id and epoch.</summary>
internal sealed record ProducerIdentity(long ProducerId, short Epoch);
