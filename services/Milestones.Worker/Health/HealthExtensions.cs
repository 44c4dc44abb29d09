using MassTransit;
using Milestones.ServiceDefaults;

namespace Milestones.Worker.Health;

public static class HealthExtensions
{
    /// <summary>
    /// The startup check (tagged startup) and the store-writes check (tagged ready: not ready while the store cannot be
    /// written, <see cref="StoreWritesHealthCheck"/>). MassTransit adds its bus check tagged ready, and each store its own.
    /// </summary>
    public static IHostApplicationBuilder AddWorkerHealth(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<BusStartObserver>();
        builder.Services.AddBusObserver(provider => provider.GetRequiredService<BusStartObserver>());
        builder.Services.AddHealthChecks()
            .AddCheck<StartupHealthCheck>("startup", tags: [ServiceDefaultsExtensions.StartupTag])
            .AddCheck<StoreWritesHealthCheck>("store-writes", tags: [ServiceDefaultsExtensions.ReadyTag]);
        return builder;
    }
}
