using Microsoft.Extensions.DependencyInjection;

namespace KafkaNative.Extensions.Hosting.Registration;

/// <summary>Finds a client's collaborators (serializers, deserializers): keyed by the client's name first, then unkeyed.</summary>
internal static class ServiceLookup
{
    public static T? Find<T>(IServiceProvider provider, string name) where T : class =>
        (name.Length > 0 ? provider.GetKeyedService<T>(name) : null) ?? provider.GetService<T>();
}
