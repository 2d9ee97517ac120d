// Telemetry is process-wide (one ActivitySource, one Meter): tests run one at a time so one test's spans and
// measurements never land in another's exporter. It also spares the shared machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
