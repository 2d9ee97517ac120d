using System.Runtime.InteropServices;
using KafkaNative.Cli;

// The kafkanative command (see KafkaNativeCli): SIGINT and SIGTERM cancel the running verb, which stops cleanly.
using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
return await KafkaNativeCli.RunAsync(args, CliConsole.System(), stop.Token);
