using Microsoft.Extensions.Options;

namespace KafkaNative.Extensions.Hosting.Registration;

/// <summary>Runs <see cref="KafkaHandlerOptions.Validate"/> for one hosted consumer at host start.</summary>
internal sealed class HandlerOptionsValidator(string name) : INamedValidator<KafkaHandlerOptions>
{
    public string Name => name;

    public ValidateOptionsResult Validate(string? optionsName, KafkaHandlerOptions options)
    {
        if ((optionsName ?? Options.DefaultName) != name) return ValidateOptionsResult.Skip;
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException error)
        {
            return ValidateOptionsResult.Fail($"Hosted consumer '{name}': {error.Message}");
        }
    }
}

/// <summary>What a hosted consumer needs of its consumer options beyond their own checks: a group, to subscribe and commit.</summary>
internal sealed class HostedConsumerOptionsValidator(string name) : INamedValidator<ConsumerOptions>
{
    public string Name => "hosted:" + name;

    public ValidateOptionsResult Validate(string? optionsName, ConsumerOptions options) =>
        (optionsName ?? Options.DefaultName) != name ? ValidateOptionsResult.Skip
        : options.GroupId is null ? ValidateOptionsResult.Fail($"Hosted consumer '{name}': GroupId is required (the hosted consumer subscribes and commits).")
        : ValidateOptionsResult.Success;
}
