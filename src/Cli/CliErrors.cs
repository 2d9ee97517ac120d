namespace KafkaNative.Cli;

/// <summary>Exit codes, as kcat's: 0 success, 1 a runtime or broker error, 2 a usage error (bad arguments).</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
}

/// <summary>A bad argument found after parsing (a malformed <c>-X</c>, an out-of-range partition): exit 2 with its message.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>A failure the verb already explained in one line (a produce with failed records): exit 1 with its message.</summary>
internal sealed class CliFailure(string message) : Exception(message);
