namespace KafkaNative.Extensions.Hosting;

/// <summary>What a hosted consumer is doing, for its health check: written by the service, read by the check.</summary>
internal sealed class HostedConsumerStatus(string name)
{
    private readonly Lock _lock = new();

    public string Name => name;

    public HostedConsumerState State { get; private set; } = HostedConsumerState.NotStarted;

    /// <summary>What stopped the service, when it faulted.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>The latest error of the consume loop (it carries on after one), cleared by the next batch.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>The consumer while the service runs.</summary>
    public KafkaConsumer<byte[]?, byte[]?>? Consumer { get; private set; }

    public void Started(KafkaConsumer<byte[]?, byte[]?> consumer)
    {
        lock (_lock)
        {
            Consumer = consumer;
            State = HostedConsumerState.Running;
        }
    }

    public void Received()
    {
        if (LastError is null) return;
        lock (_lock) LastError = null;
    }

    public void Failed(Exception error)
    {
        lock (_lock) LastError = error;
    }

    public void Stopped(Exception? fault)
    {
        lock (_lock)
        {
            Consumer = null;
            Fault = fault;
            State = fault is null ? HostedConsumerState.Stopped : HostedConsumerState.Faulted;
        }
    }
}

/// <summary>The life of a hosted consumer.</summary>
internal enum HostedConsumerState
{
    NotStarted,
    Running,
    Stopped,
    Faulted,
}
