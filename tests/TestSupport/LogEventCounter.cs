using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KafkaNative.TestSupport;

/// <summary>
/// A logger factory that counts log events by id and formats nothing, so a test can tell that a path was taken
/// (the client's KIP-951 leader hints, say) without debug logging slowing a busy run.
/// </summary>
public sealed class LogEventCounter : ILoggerFactory
{
    private readonly ConcurrentDictionary<int, int> _counts = new();

    /// <summary>How many events with <paramref name="eventId"/> were logged so far.</summary>
    public int Count(int eventId) => _counts.GetValueOrDefault(eventId);

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Counter(this);

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider)
    {
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Counter(LogEventCounter owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._counts.AddOrUpdate(eventId.Id, 1, static (_, n) => n + 1);
    }
}
