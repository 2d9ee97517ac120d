using System.Diagnostics.CodeAnalysis;
using KafkaNative.Extensions.Hosting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KafkaNative.Extensions.Hosting.Registration;

/// <summary>
/// Registers one named options object of a client: bound from configuration, then the container's
/// logger factory and clock, then the caller's code (which has the last word), validated when the host
/// starts with the options' own <c>Validate()</c>.
/// </summary>
internal static class KafkaOptionsRegistration
{
    /// <summary>Where a client's settings live by default: <c>Kafka:Producers:NAME</c>, or <c>Kafka:Producer</c> for the unnamed one.</summary>
    public static string DefaultPath(string kind, string name) =>
        name.Length == 0 ? $"Kafka:{kind}" : $"Kafka:{kind}s:{name}";

    public static void Add<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(IServiceCollection services, string name, IConfiguration? section, string path, Action<T>? configure, SettingTable<T> table)
        where T : KafkaClientOptions
    {
        services.AddOptions<T>(name)
            .Configure<IServiceProvider>((options, provider) =>
            {
                IConfiguration? source = section ?? provider.GetService<IConfiguration>()?.GetSection(path);
                if (source is not null) BindOrThrow(source, options, table, name);
                if (provider.GetService<ILoggerFactory>() is { } loggers) options.LoggerFactory = loggers;
                if (provider.GetService<TimeProvider>() is { } time) options.TimeProvider = time;
                configure?.Invoke(options);
            })
            .ValidateOnStart();
        AddValidator(services, new ClientOptionsValidator<T>(name));
    }

    /// <summary>Binds <paramref name="source"/>, throwing one <see cref="OptionsValidationException"/> that lists every bad or unknown key.</summary>
    public static void BindOrThrow<T>(IConfiguration source, T options, SettingTable<T> table, string name)
    {
        var errors = new List<string>();
        OptionsBinder.Bind(source, options, table, errors);
        if (errors.Count > 0) throw new OptionsValidationException(name, typeof(T), errors);
    }

    /// <summary>Adds a validator for one name, once however many clients share the name.</summary>
    public static void AddValidator<T>(IServiceCollection services, INamedValidator<T> validator) where T : class
    {
        bool present = services.Any(d => d.ServiceType == typeof(IValidateOptions<T>)
            && d.ImplementationInstance is INamedValidator<T> existing && existing.Name == validator.Name);
        if (!present) services.AddSingleton<IValidateOptions<T>>(validator);
    }
}

/// <summary>A validator of the options of one name.</summary>
/// <typeparam name="T">The options type.</typeparam>
internal interface INamedValidator<T> : IValidateOptions<T> where T : class
{
    string Name { get; }
}

/// <summary>Runs <see cref="KafkaClientOptions.Validate"/> for the options of one client, so a bad setting stops the host at start.</summary>
/// <typeparam name="T">The options type.</typeparam>
internal sealed class ClientOptionsValidator<T>(string name) : INamedValidator<T> where T : KafkaClientOptions
{
    public string Name => name;

    public ValidateOptionsResult Validate(string? optionsName, T options)
    {
        if ((optionsName ?? Options.DefaultName) != name) return ValidateOptionsResult.Skip;
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException error)
        {
            return ValidateOptionsResult.Fail($"{typeof(T).Name} '{(name.Length == 0 ? "(default)" : name)}': {error.Message}");
        }
    }
}
