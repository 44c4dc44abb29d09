using MassTransit;

namespace Milestones.Worker.Health;

public static class HealthRegistration
{
    /// <summary>
    /// The startup check (tagged startup). Readiness needs nothing more here: MassTransit adds its bus check tagged ready,
    /// and each store adds its own.
    /// </summary>
    public static IHostApplicationBuilder AddWorkerHealth(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<BusStartObserver>();
        builder.Services.AddBusObserver(provider => provider.GetRequiredService<BusStartObserver>());
        builder.Services.AddHealthChecks().AddCheck<StartupHealthCheck>("startup", tags: [Milestones.ServiceDefaults.Extensions.StartupTag]);
        return builder;
    }
}
