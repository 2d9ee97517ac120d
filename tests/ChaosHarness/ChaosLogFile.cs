using Microsoft.Extensions.Logging;

namespace KafkaNative.Chaos;

/// <summary>
/// A client's or the cluster's log, every level, written to <c>$CHAOS_LOGS/&lt;name&gt;-&lt;pid&gt;-&lt;n&gt;.log</c> when that
/// variable names a directory (for digging into a failed run); otherwise nothing is logged.
/// </summary>
internal sealed class ChaosLogFile : ILoggerFactory
{
    private static int s_opened;
    private readonly StreamWriter _writer;

    private ChaosLogFile(string path) => _writer = new StreamWriter(path, append: true) { AutoFlush = true };

    /// <summary>A log for <paramref name="name"/>, or null when CHAOS_LOGS is not set.</summary>
    public static ChaosLogFile? For(string name) =>
        Environment.GetEnvironmentVariable("CHAOS_LOGS") is { Length: > 0 } directory
            ? new ChaosLogFile(Path.Combine(directory, $"{name}-{Environment.ProcessId}-{Interlocked.Increment(ref s_opened)}.log"))
            : null;

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
        lock (_writer) _writer.Dispose();
    }

    private void Write(string line)
    {
        lock (_writer)
        {
            try
            {
                _writer.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private sealed class FileLogger(ChaosLogFile file, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            file.Write($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.GetType().Name + ": " + exception.Message)}");
    }
}
