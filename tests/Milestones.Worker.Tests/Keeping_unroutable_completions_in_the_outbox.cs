using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Milestones.Contracts;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Worker.Outbox;
using Milestones.Worker.Telemetry;

namespace Milestones.Worker.Tests;

/// <summary>
/// A completion the broker returns (published mandatory, no queue bound: MassTransit's MessageReturnedException) is
/// not marked sent and is counted, while the other entries of the same batch are published and marked sent. Guards
/// OutboxDispatcher's per-entry handling with OutboxPublishFailures.IsUnroutable.
/// </summary>
public class Keeping_unroutable_completions_in_the_outbox
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_returned_completion_stays_pending_and_the_rest_of_the_batch_is_sent()
    {
        var catalog = ProjectCatalog.LoadFile(Path.Combine(AppContext.BaseDirectory, "catalog", "fengtai-2023.json"));
        var entries = new[] { "subway-16-south", "lize-city-terminal", "fengtai-station-integration" }.Select(Entry).ToList();
        var store = new ClaimedBatch(entries);
        var bus = ReturningBus.Create(returnedProject: "lize-city-terminal");
        using var meters = new MeterFactory();
        using var telemetry = new MilestonesTelemetry(meters, TimeProvider.System, catalog);
        using var unroutable = new MetricCollector<long>(meters, MilestonesTelemetry.Name, "milestones.outbox.unroutable");
        using var dispatcher = store.Dispatcher(bus, catalog, telemetry);

        var published = await dispatcher.DispatchBatch(new OutboxOptions(), Cancel);

        Assert.Equal(2, published);
        Assert.Equal(["subway-16-south", "fengtai-station-integration"], ((ReturningBus)(object)bus).Published.Select(c => c.ProjectId));
        Assert.Equal(entries.Where(e => e.ProjectId != "lize-city-terminal").Select(e => e.MessageId).Order(), store.Sent.Order());
        Assert.Equal(1, unroutable.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    static OutboxEntry Entry(string projectId)
    {
        var at = new DateTimeOffset(2022, 12, 31, 12, 0, 0, TimeSpan.FromHours(8));
        var completion = new ProjectCompletion(projectId, 1, at, [new ReachedMilestone("opened", at, Guid.NewGuid(), "metro-operator", at)], Guid.NewGuid());
        return OutboxEntry.For(completion, at);
    }

    /// <summary>An <see cref="IBus"/> whose publishes of one project's completion the broker "returns".</summary>
    public class ReturningBus : DispatchProxy
    {
        string returnedProject = string.Empty;

        public List<ProjectCompleted> Published { get; } = [];

        public static IBus Create(string returnedProject)
        {
            var bus = Create<IBus, ReturningBus>();
            ((ReturningBus)(object)bus).returnedProject = returnedProject;
            return bus;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name == nameof(IBus.Publish) && args?[0] is ProjectCompleted completed)
            {
                if (completed.ProjectId == returnedProject)
                {
                    return Task.FromException(new MessageReturnedException("The message was returned by RabbitMQ", new InvalidOperationException("312 NO_ROUTE")));
                }
                Published.Add(completed);
                return Task.CompletedTask;
            }
            throw new NotSupportedException(targetMethod?.Name);
        }
    }
}
