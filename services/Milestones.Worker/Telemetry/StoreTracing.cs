using System.Diagnostics;
using Milestones.Domain.Storage;

namespace Milestones.Worker.Telemetry;

/// <summary>Wraps whichever store is registered with <see cref="TracingProjectStore"/> and <see cref="TracingOutboxStore"/>.</summary>
public static class StoreTracing
{
    /// <summary>Decorates the registered <see cref="IProjectStore"/> and <see cref="IOutboxStore"/>; call after the store is added.</summary>
    public static IServiceCollection AddStoreTracing(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Decorate<IProjectStore>(services, store => new TracingProjectStore(store));
        Decorate<IOutboxStore>(services, store => new TracingOutboxStore(store));
        return services;
    }

    /// <summary>The store under the tracing decorator, for code that must know which store is configured.</summary>
    public static object Undecorated(object store) => store switch
    {
        TracingProjectStore traced => traced.Inner,
        TracingOutboxStore traced => traced.Inner,
        _ => store,
    };

    /// <summary>
    /// A store span, only inside a trace: the dispatcher polls the outbox every second and samples its backlog, and a
    /// root span for each of those would bury the traces that matter.
    /// </summary>
    internal static Activity? StartChild(string name) =>
        Activity.Current is null ? null : MilestonesTelemetry.ActivitySource.StartActivity(name, ActivityKind.Client);

    internal static async Task<T> Run<T>(Activity? activity, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            activity.RecordFailure(ex);
            throw;
        }
    }

    static void Decorate<TService>(IServiceCollection services, Func<TService, TService> decorate)
        where TService : class
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(TService) && !d.IsKeyedService)
            ?? throw new InvalidOperationException($"No {typeof(TService).Name} is registered to trace; add the store first.");
        services.Remove(registered);
        services.Add(ServiceDescriptor.Describe(typeof(TService), provider => decorate((TService)Create(registered, provider)), registered.Lifetime));
    }

    static object Create(ServiceDescriptor descriptor, IServiceProvider provider) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);
}
