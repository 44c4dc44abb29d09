using System.Diagnostics;
using Milestones.Domain.Storage;

namespace Milestones.Worker.Telemetry;

/// <summary>The store ports, registered once over whichever store is configured, with spans around the store calls.</summary>
public static class StoreTracing
{
    /// <summary>
    /// Registers <see cref="IProjectStore"/> and <see cref="IOutboxStore"/> as <see cref="TracingProjectStore"/> and
    /// <see cref="TracingOutboxStore"/> over the store <typeparamref name="TStore"/> (registered by its adapter), and
    /// <see cref="IStoreMaintenance"/> as the store itself (the ops commands are not traced).
    /// </summary>
    public static IServiceCollection AddTracedStorePorts<TStore>(this IServiceCollection services)
        where TStore : class, IProjectStore, IOutboxStore, IStoreMaintenance
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IProjectStore>(sp => new TracingProjectStore(sp.GetRequiredService<TStore>()));
        services.AddSingleton<IOutboxStore>(sp => new TracingOutboxStore(sp.GetRequiredService<TStore>()));
        services.AddSingleton<IStoreMaintenance>(sp => sp.GetRequiredService<TStore>());
        return services;
    }

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
}
