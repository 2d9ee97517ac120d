using System.Runtime.InteropServices;

namespace KafkaNative.Bench;

/// <summary>
/// CPU time used by this process's finished children (getrusage(RUSAGE_CHILDREN)): how kcat's CPU
/// is measured, since a process that has exited no longer reports its own.
/// </summary>
internal static partial class ChildProcessCpu
{
    private const int RusageChildren = -1;

    public static TimeSpan Total()
    {
        if (GetRusage(RusageChildren, out RUsage usage) != 0) return TimeSpan.Zero;
        long micros = (usage.UserSeconds + usage.SystemSeconds) * 1_000_000 + usage.UserMicros + usage.SystemMicros;
        return TimeSpan.FromMicroseconds(micros);
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRusage(int who, out RUsage usage);

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicros;
        public long SystemSeconds;
        public long SystemMicros;
        // The remaining fields of struct rusage (14 longs) are not needed but must be there.
        private unsafe fixed long _rest[14];
    }
}
