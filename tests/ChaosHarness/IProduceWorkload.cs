namespace KafkaNative.Chaos;

/// <summary>A producer writing <see cref="KeyedRecords"/> as fast as its own budget allows, for a fault to hit mid-stream.</summary>
public interface IProduceWorkload
{
    /// <summary>Which client produces ("kafkanative", "kcat").</summary>
    string Client { get; }

    /// <summary>What the producer told its caller.</summary>
    DeliveryLedger Ledger { get; }

    /// <summary>Records handed over (to kcat: its whole input file) and neither acknowledged nor failed yet.</summary>
    long BacklogRecords { get; }

    /// <summary>Records handed to the producer so far.</summary>
    long Enqueued { get; }

    /// <summary>The gate the workload waits at between fault cycles (closed until opened), or null when it cannot be held back.</summary>
    StreamGate? Gate { get; }

    /// <summary>The workload's state in a line, for failure messages.</summary>
    string Describe();

    /// <summary>Produces every record and completes once each is acknowledged or failed.</summary>
    Task RunAsync(CancellationToken ct);
}
