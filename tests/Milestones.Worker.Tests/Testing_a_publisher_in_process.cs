using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Milestones.Contracts;
using Milestones.Contracts.Testing;
using Milestones.Contracts.Validation;

namespace Milestones.Worker.Tests;

// Written as docs/integration-testing.md tells a publisher or subscriber to write it: keep the two in step.

/// <summary>The Milestones service in the test process: in-memory transport, a SQLite file of its own, MassTransit's test harness.</summary>
public sealed class MilestonesService : WebApplicationFactory<Program>
{
    readonly string database = Path.Combine(Path.GetTempPath(), $"milestones-{Guid.NewGuid():N}.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");                  // in-memory transport, SQLite, open query API
        builder.UseSetting("Storage:Sqlite:Path", database);    // one store per test
        builder.UseSetting("Outbox:PollInterval", "00:00:00.100");
        builder.UseSetting("Telemetry:ConsoleExporter", "None");
        builder.ConfigureTestServices(services => services.AddMassTransitTestHarness(x => x.AddConsumer<CompletionListener>()));
    }

    /// <summary>Starts the service (its bus, consumers and outbox dispatcher) and returns the harness.</summary>
    public async Task<ITestHarness> StartAsync()
    {
        _ = Server;
        var harness = Services.GetTestHarness();
        await harness.Start();
        return harness;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var file in new[] { database, database + "-wal", database + "-shm" })
        {
            File.Delete(file);
        }
    }
}

/// <summary>A subscriber's own consumer of <see cref="ProjectCompleted"/>.</summary>
public sealed class CompletionListener : IConsumer<ProjectCompleted>
{
    public static readonly List<ProjectCompleted> Seen = [];

    public Task Consume(ConsumeContext<ProjectCompleted> context)
    {
        lock (Seen)
        {
            Seen.Add(context.Message);
        }
        return Task.CompletedTask;
    }
}

public sealed class Testing_a_publisher_in_process
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_metro_lines_opening_completes_it()
    {
        await using var service = new MilestonesService();
        var harness = await service.StartAsync();
        var opened = new MilestoneReachedBuilder()
            .WithProjectId("subway-16-south").WithMilestoneCode("opened").WithSourceSystem("metro-operator")
            .Build();

        await harness.Bus.Publish(opened, Cancel);

        Assert.True(await harness.Published.Any<ProjectCompleted>(x => x.Context.Message.ProjectId == "subway-16-south", Cancel));
        var completed = harness.Published.Select<ProjectCompleted>(Cancel).Single().Context.Message;
        Assert.Equal(opened.EventId, completed.TriggeringEventId);
        Assert.True(await harness.GetConsumerHarness<CompletionListener>().Consumed.Any<ProjectCompleted>(Cancel));
        lock (CompletionListener.Seen)
        {
            Assert.Contains(CompletionListener.Seen, c => c.TriggeringEventId == opened.EventId);
        }
    }

    [Fact]
    public async Task A_refused_message_faults_with_the_kits_reason()
    {
        await using var service = new MilestonesService();
        var harness = await service.StartAsync();
        using var catalog = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "catalog", "fengtai-2023.json"));
        var kit = new MessageValidator(CatalogSnapshot.Load(catalog));
        var early = new MilestoneReachedBuilder().WithMilestoneCode("land-prepared").Build();

        await harness.Bus.Publish(early, Cancel);

        Assert.True(await harness.Published.Any<Fault<MilestoneReached>>(Cancel));
        var fault = harness.Published.Select<Fault<MilestoneReached>>(Cancel).Single().Context.Message;
        Assert.Equal(kit.Validate(early)?.ToString(), fault.Exceptions.Single().Message);
        Assert.StartsWith("milestone-not-in-plan:", fault.Exceptions.Single().Message, StringComparison.Ordinal);
    }
}
