using System.Text.Encodings.Web;
using System.Text.Unicode;
using MassTransit;
using Microsoft.Extensions.Options;
using Milestones.Domain.Catalog;
using Milestones.Domain.Recording;
using Milestones.Domain.Validation;
using Milestones.ServiceDefaults;
using Milestones.Storage.MongoDB;
using Milestones.Storage.Sqlite;
using Milestones.Worker.Consumers;
using Milestones.Worker.Demo;
using Milestones.Worker.Health;
using Milestones.Worker.Messaging;
using Milestones.Worker.Messaging.RabbitMq;
using Milestones.Worker.Outbox;
using Milestones.Worker.Schedule;
using Milestones.Worker.Security;
using Milestones.Worker.Telemetry;
using Milestones.Worker.Testing;

namespace Milestones.Worker;

public static class ApplicationServicesExtensions
{
    /// <summary>Everything the worker needs: catalog, domain, store, bus, outbox dispatcher and the demo when asked for.</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddSecretFiles();
        builder.AddServiceDefaults([MilestonesTelemetry.Name, "MassTransit", MongoDbClientSettings.ActivitySourceName], [MilestonesTelemetry.Name, "MassTransit"]);

        builder.Services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.SectionName);
        builder.Services.AddOptions<CatalogOptions>().BindConfiguration(CatalogOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ScheduleOptions>().BindConfiguration(ScheduleOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<FeedsOptions>().BindConfiguration(FeedsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Encoder = JavaScriptEncoder.Create(UnicodeRanges.All));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<MilestonesTelemetry>();
        builder.Services.AddSingleton(LoadCatalog(builder));
        builder.Services.AddSingleton(ValidationLimits.Default);
        builder.Services.AddSingleton<MilestoneValidator>();
        // Feeds:MilestoneRecorded: whether the recorder writes a MilestoneRecorded outbox entry per recorded event.
        builder.Services.AddSingleton(services => new RecorderOptions
        {
            PublishRecorded = services.GetRequiredService<IOptions<FeedsOptions>>().Value.MilestoneRecorded,
        });
        builder.Services.AddSingleton<MilestoneRecorder>();
        builder.Services.AddSingleton<RecordingIntake>();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<InputRecording>();

        // In Production: TLS to the broker and the database, certificate checks on (Security:AllowInsecureTransport).
        builder.AddTransportSecurity();
        builder.AddStore();
        builder.AddMessaging();
        builder.AddWorkerTelemetry();
        builder.AddWorkerHealth();
        // After the bus: hosted services stop in reverse order, so the dispatcher's final flush still has a bus.
        builder.Services.AddHostedService<OutboxDispatcher>();
        // Registrations made through other replicas, and milestones past their due date (Schedule/).
        builder.Services.AddSingleton<CatalogRefresh>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CatalogRefresh>());
        builder.Services.AddSingleton<ScheduleWatch>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ScheduleWatch>());
        return builder;
    }

    /// <summary>Default directory of mounted secrets: one file per key, named like an environment variable (<c>MongoDb__ConnectionString</c>).</summary>
    public const string DefaultSecretsDirectory = "/run/secrets/milestones";

    /// <summary>
    /// Mounted secret files (Kubernetes secret volumes, compose secrets) are read last, so a secret file overrides an
    /// environment variable of the same key. The directory can be moved with <c>MILESTONES_SECRETS_DIR</c>.
    /// </summary>
    static void AddSecretFiles(this IHostApplicationBuilder builder)
    {
        var directory = builder.Configuration["MILESTONES_SECRETS_DIR"] is { Length: > 0 } configured ? configured : DefaultSecretsDirectory;
        builder.Configuration.AddKeyPerFile(directory, optional: true, reloadOnChange: false);
    }

    /// <summary>The catalog is loaded before the host starts: a broken catalog stops the service with the entry named.</summary>
    static ProjectCatalog LoadCatalog(IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(CatalogOptions.SectionName).Get<CatalogOptions>() ?? new CatalogOptions();
        // Path.Combine keeps a rooted second path as it is, so relative paths resolve against the content root.
        return ProjectCatalog.LoadFile(Path.Combine(builder.Environment.ContentRootPath, options.Path));
    }

    /// <summary>
    /// The store <c>Storage:Provider</c> names, registered by its adapter with its options and readiness check; the
    /// store ports over it, traced (<see cref="StoreTracing"/>); and the outage rule over the store's own classifier.
    /// </summary>
    static void AddStore(this IHostApplicationBuilder builder)
    {
        var provider = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>()?.Provider;
        switch (provider)
        {
            case StorageProvider.Sqlite:
                builder.AddSqliteStore(ServiceDefaultsExtensions.ReadyTag);
                // The demo runs on a throwaway file of its own, whatever Storage:Sqlite:Path says.
                builder.Services.AddOptions<SqliteStoreOptions>().PostConfigure<IOptions<DemoOptions>>((sqlite, demo) =>
                {
                    if (demo.Value.Enabled)
                    {
                        sqlite.Path = DemoDatabase.Path;
                    }
                });
                builder.Services.AddTracedStorePorts<SqliteMilestoneStore>();
                break;
            case StorageProvider.MongoDb:
                // Connection string from MongoDb__ConnectionString (environment or mounted secret file); see the adapter's README.
                builder.AddMongoDbStore(ServiceDefaultsExtensions.ReadyTag);
                builder.Services.AddTracedStorePorts<MongoMilestoneStore>();
                break;
            default:
                throw new OptionsValidationException(StorageOptions.SectionName, typeof(StorageOptions),
                    ["Storage:Provider must be set to 'Sqlite' or 'MongoDb'."]);
        }
        builder.Services.AddSingleton<StoreOutage>();
    }

    static void AddMessaging(this IHostApplicationBuilder builder)
    {
        var messaging = builder.Configuration.GetSection(MessagingOptions.SectionName).Get<MessagingOptions>();
        var demo = builder.Configuration.IsDemo();
        if (demo)
        {
            builder.Services.AddSingleton<DemoConsole>();
            builder.Services.AddHostedService<DemoRunner>();
        }

        // The receive endpoints, so that shutdown stops consuming before the outbox's last flush (OutboxDispatcher.StopAsync).
        builder.Services.AddSingleton<Intake>();
        builder.Services.AddReceiveEndpointObserver(services => services.GetRequiredService<Intake>());
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddConsumer<MilestoneReachedConsumer, MilestoneReachedConsumerDefinition>();
            bus.AddConsumer<MilestoneRetractedConsumer, MilestoneRetractedConsumerDefinition>();
            bus.AddConsumer<ProgressReportedConsumer, ProgressReportedConsumerDefinition>();
            bus.AddConsumer<ProjectRegisteredConsumer, ProjectRegisteredConsumerDefinition>();
            if (demo)
            {
                bus.AddConsumer<ProjectCompletedPrinter>().Endpoint(e => e.Name = "milestones-demo-printer");
            }

            switch (messaging?.Transport)
            {
                case MessagingTransport.InMemory:
                    bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
                    break;
                case MessagingTransport.RabbitMq:
                    // Host, port, virtual host, user, password and TLS come from MassTransit's RabbitMqTransport section.
                    bus.UsingMilestonesRabbitMq();
                    break;
                default:
                    throw new OptionsValidationException(MessagingOptions.SectionName, typeof(MessagingOptions),
                        ["Messaging:Transport must be set to 'InMemory' or 'RabbitMq'."]);
            }
        });
        // RabbitMqTransport and BrokerTls, checked at start (Messaging/RabbitMq/).
        builder.Services.AddBrokerSettings();
        // Test-only switches (Testing/): off unless set, refused in Production.
        builder.AddTestingSwitches();
        builder.AddMessagingLifetime();
    }
}
