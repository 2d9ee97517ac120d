using Microsoft.Extensions.Logging;

namespace KafkaNative.Chaos;

/// <summary>
/// A member's client log, every level, written to <c>$CHAOS_MEMBER_LOGS/&lt;member&gt;-&lt;pid&gt;.log</c> when that
/// variable names a directory (for digging into a failed run); otherwise nothing is logged.
/// </summary>
internal sealed class MemberLogFile : ILoggerFactory
{
    private readonly StreamWriter _writer;

    private MemberLogFile(string path) => _writer = new StreamWriter(path, append: true) { AutoFlush = true };

    /// <summary>A log for <paramref name="member"/>, or null when CHAOS_MEMBER_LOGS is not set.</summary>
    public static MemberLogFile? For(string member) =>
        Environment.GetEnvironmentVariable("CHAOS_MEMBER_LOGS") is { Length: > 0 } directory
            ? new MemberLogFile(Path.Combine(directory, $"{member}-{Environment.ProcessId}.log"))
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

    private sealed class FileLogger(MemberLogFile file, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            file.Write($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.GetType().Name + ": " + exception.Message)}");
    }
}
