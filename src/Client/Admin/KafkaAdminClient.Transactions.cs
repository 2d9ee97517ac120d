using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Admin;

// Transactions (KIP-664): listed by every broker, described by each transactional id's coordinator.
public sealed partial class KafkaAdminClient
{
    // Between retries of a coordinator that is loading or moved (Java's retry.backoff.ms and retry.backoff.max.ms).
    private static readonly TimeSpan RetryBackoffInitial = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RetryBackoffMax = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Lists the transactional ids of every broker (each coordinator knows only its own), ordered by id. Like
    /// Java's AdminClient, the call fails as a whole when a broker fails; a broker still loading its transaction
    /// state (COORDINATOR_LOAD_IN_PROGRESS) is asked again with backoff, within the request timeout.
    /// </summary>
    /// <param name="options">Filters by state, producer id and running time; null lists every transactional id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">A broker failed to list its transactions (COORDINATOR_NOT_AVAILABLE while it shuts down…).</exception>
    /// <exception cref="UnsupportedVersionException"><see cref="ListTransactionsOptions.RunningLongerThan"/> is set and a broker only has ListTransactions v0.</exception>
    /// <exception cref="ArgumentException">A filter names <see cref="TransactionState.Unknown"/>, or a negative duration.</exception>
    public async Task<IReadOnlyList<TransactionListing>> ListTransactionsAsync(ListTransactionsOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ListTransactionsOptions();
        if (options.States.Contains(TransactionState.Unknown))
            throw new ArgumentException("TransactionState.Unknown matches no transaction; name the states to list.", nameof(options));
        long durationMs = options.RunningLongerThan is { } running ? (long)running.TotalMilliseconds : -1;
        if (options.RunningLongerThan < TimeSpan.Zero) throw new ArgumentException("RunningLongerThan must not be negative.", nameof(options));

        ClusterMetadata metadata = await _cluster.GetMetadataAsync(cancellationToken).ConfigureAwait(false);
        var listings = new Dictionary<string, TransactionListing>(StringComparer.Ordinal);
        foreach (int nodeId in metadata.Brokers.Keys.Order())
        {
            KafkaBroker broker = await BrokerAsync(nodeId, cancellationToken).ConfigureAwait(false);
            ListTransactionsResponse? response = null;
            await RetryWithBackoffAsync(async (last, ct) =>
            {
                BrokerConnection connection = await broker.GetConnectionAsync(ct).ConfigureAwait(false);
                short version = connection.Versions.Negotiate<ListTransactionsRequest>();
                if (durationMs >= 0 && version < 1)
                    throw new UnsupportedVersionException($"ListTransactions on broker {nodeId}: filtering by running time needs ListTransactions v1 (KIP-994); the broker has v{version}.");
                var request = new ListTransactionsRequest
                {
                    StateFilters = options.States.Distinct().Select(TransactionStates.WireName).ToList(),
                    ProducerIdFilters = options.ProducerIds.Distinct().ToList(),
                    DurationFilter = durationMs,
                };
                response = await connection.SendAsync<ListTransactionsRequest, ListTransactionsResponse>(request, new SendOptions(MaxVersion: version), ct).ConfigureAwait(false);
                return !last && (ErrorCode)response.ErrorCode == ErrorCode.CoordinatorLoadInProgress;
            }, cancellationToken).ConfigureAwait(false);
            KafkaErrorException.ThrowIfError(response!.ErrorCode, $"ListTransactions on broker {nodeId}");
            foreach (ListTransactionsResponse.TransactionStateData t in response.TransactionStates)
                listings[t.TransactionalId] = new TransactionListing(t.TransactionalId, t.ProducerId, TransactionStates.Parse(t.TransactionState));
        }
        return listings.Values.OrderBy(l => l.TransactionalId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Describes transactional ids, asking each id's transaction coordinator (one request per coordinator). A
    /// coordinator that moved or is unavailable (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE) is looked up again, one
    /// still loading (COORDINATOR_LOAD_IN_PROGRESS) asked again, with backoff, within the request timeout.
    /// </summary>
    /// <param name="transactionalIds">The transactional ids; duplicates are described once.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One description per distinct id, in the order given.</returns>
    /// <exception cref="KafkaErrorException">An id could not be described: TRANSACTIONAL_ID_NOT_FOUND for an id no producer initialised, TRANSACTIONAL_ID_AUTHORIZATION_FAILED…; the message names the ids.</exception>
    public async Task<IReadOnlyList<TransactionDescription>> DescribeTransactionsAsync(IEnumerable<string> transactionalIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionalIds);
        List<string> ids = transactionalIds.Distinct(StringComparer.Ordinal).ToList();
        foreach (string id in ids) ArgumentException.ThrowIfNullOrEmpty(id, nameof(transactionalIds));

        var described = new Dictionary<string, TransactionDescription>(StringComparer.Ordinal);
        var failures = new List<(string, short, string?)>();
        List<string> pending = ids;
        await RetryWithBackoffAsync(async (last, ct) =>
        {
            var retry = new List<(string Id, ErrorCode Error)>();
            await DescribeAtCoordinatorsAsync(pending, described, failures, retry, ct).ConfigureAwait(false);
            if (last) failures.AddRange(retry.Select(r => (r.Id, (short)r.Error, (string?)null)));
            pending = retry.Select(r => r.Id).ToList();
            return pending.Count > 0;
        }, cancellationToken).ConfigureAwait(false);
        ThrowIfAnyFailed("DescribeTransactions", failures);
        return ids.Select(id => described[id]).ToList();
    }

    /// <summary>One round of DescribeTransactions: finds the ids' coordinators and asks each for its ids, sorting every id into described, failed, or to retry.</summary>
    private async Task DescribeAtCoordinatorsAsync(List<string> ids, Dictionary<string, TransactionDescription> described,
        List<(string, short, string?)> failures, List<(string Id, ErrorCode Error)> retry, CancellationToken cancellationToken)
    {
        List<CoordinatorLookup> lookups;
        try
        {
            lookups = await FindCoordinatorsAsync(ids, CoordinatorType.Transaction, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaErrorException exception) when (exception.IsRetriable)
        {
            retry.AddRange(ids.Select(id => (id, exception.ErrorCode)));
            return;
        }
        foreach (CoordinatorLookup lookup in lookups.Where(l => l.Error != ErrorCode.None))
        {
            if (lookup.Error.IsRetriable()) retry.Add((lookup.Key, lookup.Error));
            else failures.Add((lookup.Key, (short)lookup.Error, lookup.Message));
        }
        foreach (IGrouping<int, CoordinatorLookup> coordinator in lookups.Where(l => l.Error == ErrorCode.None).GroupBy(l => l.NodeId))
        {
            List<string> batch = coordinator.Select(l => l.Key).ToList();
            DescribeTransactionsResponse response;
            try
            {
                KafkaBroker broker = await BrokerAsync(coordinator.Key, cancellationToken).ConfigureAwait(false);
                response = await broker.SendAsync<DescribeTransactionsRequest, DescribeTransactionsResponse>(
                    new DescribeTransactionsRequest { TransactionalIds = batch }, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaErrorException exception) when (exception.IsRetriable)
            {
                retry.AddRange(batch.Select(id => (id, exception.ErrorCode)));
                continue;
            }
            var answered = response.TransactionStates.Where(t => batch.Contains(t.TransactionalId)).ToDictionary(t => t.TransactionalId, StringComparer.Ordinal);
            foreach (string id in batch)
            {
                if (!answered.TryGetValue(id, out DescribeTransactionsResponse.TransactionStateData? t))
                    throw new KafkaProtocolException($"DescribeTransactions: broker {coordinator.Key} did not answer for transactional id {id}", "TransactionStates");
                var error = (ErrorCode)t.ErrorCode;
                if (error == ErrorCode.None) described[id] = Describe(coordinator.Key, t);
                else if (CoordinatorBroker.IsCoordinatorError(error)) retry.Add((id, error));
                else failures.Add((id, t.ErrorCode, null));
            }
        }
    }

    private static TransactionDescription Describe(int coordinatorId, DescribeTransactionsResponse.TransactionStateData t) => new(
        t.TransactionalId,
        coordinatorId,
        TransactionStates.Parse(t.TransactionState),
        t.ProducerId,
        t.ProducerEpoch,
        TimeSpan.FromMilliseconds(t.TransactionTimeoutMs),
        t.TransactionStartTimeMs < 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(t.TransactionStartTimeMs),
        t.Topics.SelectMany(topic => topic.Partitions.Select(p => new TopicPartition(topic.Topic, p))).Order().ToList());

    /// <summary>
    /// Runs <paramref name="attempt"/> until it returns false (nothing left to retry), backing off between attempts. The
    /// attempt is told when it is the last one the budget (the request timeout) allows: it must then settle every item.
    /// </summary>
    private async Task RetryWithBackoffAsync(Func<bool, CancellationToken, Task<bool>> attempt, CancellationToken cancellationToken)
    {
        var backoff = new RetryBackoff(RetryBackoffInitial, RetryBackoffMax, _cluster.Options.Random);
        TimeProvider time = _cluster.Options.TimeProvider;
        long started = time.GetTimestamp();
        for (int retries = 0; ; retries++)
        {
            TimeSpan delay = backoff.Delay(retries);
            bool last = time.GetElapsedTime(started) + delay >= _cluster.Options.RequestTimeout;
            if (!await attempt(last, cancellationToken).ConfigureAwait(false) || last) return;
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
