namespace KafkaNative.Cli;

/// <summary>
/// A status line redrawn in place on stderr twice a second while a long produce or consume runs, only when a
/// person watches stderr (a terminal): never on stdout, never into a redirected log.
/// </summary>
internal sealed class ProgressLine : IDisposable
{
    private readonly TextWriter? _error;
    private readonly Func<string> _status;
    private readonly Timer? _timer;
    private readonly Lock _lock = new();
    private bool _drawn;
    private bool _stopped;

    public ProgressLine(CliConsole console, Func<string> status)
    {
        _status = status;
        if (!console.ErrorIsTerminal) return;
        _error = console.Error;
        _timer = new Timer(_ => Draw(), null, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));
    }

    private void Draw()
    {
        lock (_lock)
        {
            if (_stopped) return;
            _error!.Write($"\r\u001b[2K{_status()}");
            _error.Flush();
            _drawn = true;
        }
    }

    /// <summary>Stops drawing and erases the line, so the summary that follows starts clean.</summary>
    public void Dispose()
    {
        _timer?.Dispose();
        lock (_lock)
        {
            _stopped = true;
            if (_drawn) _error!.Write("\r\u001b[2K");
        }
    }
}
