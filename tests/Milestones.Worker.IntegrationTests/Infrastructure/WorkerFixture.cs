using Microsoft.Extensions.DependencyInjection;
using Milestones.Domain.Storage;
using Milestones.Storage.Sqlite;

namespace Milestones.Worker.IntegrationTests.Infrastructure;

/// <summary>
/// One virtual host and one in-process worker for a test class, started on first use so that a missing broker is
/// reported by each test (skip, or failure when required) rather than by the fixture. Its store is wrapped in a
/// <see cref="FlakyProjectStore"/>, which lets everything through until a test asks it to fail.
/// </summary>
public sealed class WorkerFixture : IAsyncLifetime
{
    readonly SemaphoreSlim gate = new(1, 1);
    InProcessWorker? worker;
    RabbitClient? client;

    public TestVirtualHost VirtualHost { get; } = new();

    public FlakyProjectStore? FlakyStore { get; private set; }

    public async Task<(InProcessWorker Worker, RabbitClient Client)> Start()
    {
        BrokerEnvironment.Require();
        await gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            worker ??= await InProcessWorker.Start(VirtualHost, services =>
            {
                services.AddSingleton(provider => FlakyStore = new FlakyProjectStore(provider.GetRequiredService<SqliteMilestoneStore>()));
                services.AddSingleton<IProjectStore>(provider => provider.GetRequiredService<FlakyProjectStore>());
            });
            worker.Services.GetRequiredService<FlakyProjectStore>();
            client ??= await RabbitClient.Connect(VirtualHost);
            return (worker, client);
        }
        finally
        {
            gate.Release();
        }
    }

    public ValueTask InitializeAsync() => VirtualHost.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        if (client is not null)
        {
            await client.DisposeAsync();
        }
        if (worker is not null)
        {
            await worker.DisposeAsync();
        }
        await VirtualHost.DisposeAsync();
        gate.Dispose();
    }
}
