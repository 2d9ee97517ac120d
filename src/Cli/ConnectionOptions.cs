using System.CommandLine;

namespace KafkaNative.Cli;

/// <summary>The options every client verb takes: <c>-b</c> bootstrap brokers and <c>-X</c> client settings.</summary>
internal sealed class ConnectionOptions
{
    public Option<string> Bootstrap { get; } = new("--bootstrap", "-b") { Description = "Bootstrap brokers, host:port[,host:port...]", Required = true };

    public Option<string[]> Settings { get; } = new("-X") { Description = ClientSettings.Help, Arity = ArgumentArity.ZeroOrMore };

    public void AddTo(Command command)
    {
        command.Options.Add(Bootstrap);
        command.Options.Add(Settings);
    }

    /// <summary>Fills <paramref name="options"/> from the command line; validated as the client would.</summary>
    public T Read<T>(ParseResult result, T options) where T : KafkaClientOptions
    {
        options.BootstrapServers = result.GetRequiredValue(Bootstrap);
        ClientSettings.Apply(options, result.GetValue(Settings) ?? []);
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
        return options;
    }

    /// <summary>An admin client for the verbs that look things up or change them.</summary>
    public Admin.KafkaAdminClient Admin(ParseResult result) => new(Read(result, new KafkaClientOptions()));
}
