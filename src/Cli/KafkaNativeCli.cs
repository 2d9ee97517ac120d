using System.CommandLine;
using System.CommandLine.Help;
using KafkaNative.Cli.Verbs;
using KafkaNative.Sim;
using KafkaNative.Sim.Storm;

namespace KafkaNative.Cli;

/// <summary>
/// The <c>kafkanative</c> command: its verbs, and how failures end. A usage error (unknown verb or option, a bad
/// value) prints one line <c>kafkanative: error: ...</c> to stderr and exits 2; a runtime or broker error prints one
/// such line and exits 1; <c>--debug</c> adds the stack trace. Data goes to stdout, everything else to stderr.
/// </summary>
internal static class KafkaNativeCli
{
    private const string Name = "kafkanative";

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken ct)
    {
        var debug = new Option<bool>("--debug", "-d") { Description = "Print stack traces of errors", Recursive = true };
        RootCommand root = Build(console);
        root.Options.Add(debug);
        // No response files: kcat's -o @TIMESTAMP must reach the verb as it is.
        ParseResult parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        bool showStack = parsed.GetValue(debug);
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            string problem = parsed.UnmatchedTokens.Count > 0 ? $"unknown verb or argument '{parsed.UnmatchedTokens[0]}'" : parsed.Errors[0].Message;
            console.Error.WriteLine($"{Name}: error: {OneLine(problem)} (see {Name} --help)");
            return ExitCodes.Usage;
        }
        await using StreamWriter help = console.OpenText();
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration
            {
                Output = help,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
                // Program handles SIGINT and SIGTERM: it cancels ct, and each verb stops cleanly.
                ProcessTerminationTimeout = null,
            }, ct);
        }
        catch (Exception e)
        {
            return Report(e, showStack, console.Error, ct);
        }
    }

    private static RootCommand Build(CliConsole console) =>
        new("kafkanative: a Kafka command-line client (produce, consume, metadata, topics, groups, transactions, ACLs, offsets) and a simulated Kafka cluster (cluster, demo, storm). " +
            "Exit codes: 0 success, 1 runtime or broker error, 2 usage error.")
        {
            ProduceVerb.Create(console),
            ConsumeVerb.Create(console),
            MetadataVerb.Create(console),
            TopicVerb.Create(console),
            GroupVerb.Create(console),
            TransactionVerb.Create(console),
            AclVerb.Create(console),
            OffsetsVerb.Create(console),
            ClusterVerb.Create(),
            DemoVerb.Create(),
            StormVerb.Create(),
        };

    private static int Report(Exception e, bool showStack, TextWriter error, CancellationToken ct)
    {
        (int code, string message) = e switch
        {
            UsageException => (ExitCodes.Usage, e.Message),
            OperationCanceledException when ct.IsCancellationRequested => (ExitCodes.Failure, "interrupted"),
            KafkaException or CliFailure or IOException or TimeoutException => (ExitCodes.Failure, e.Message),
            _ => (ExitCodes.Failure, $"{e.Message} ({e.GetType().Name})"),
        };
        error.WriteLine($"{Name}: error: {OneLine(message)}");
        if (showStack) error.WriteLine(e);
        return code;
    }

    /// <summary>A message on one line: some list their choices one per line.</summary>
    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
