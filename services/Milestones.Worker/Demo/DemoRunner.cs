using System.Globalization;
using System.Text;
using MassTransit;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Milestones.Contracts;
using Milestones.Domain;
using Milestones.Domain.Catalog;
using Milestones.Domain.Storage;

namespace Milestones.Worker.Demo;

/// <summary>
/// Publishes, as an upstream system would, the milestones the work report says were reached in 2022 for the
/// demo projects; waits for the completions to come out; prints where each project stands.
/// </summary>
public sealed class DemoRunner(
    IBus bus,
    ProjectCatalog catalog,
    IProjectStore store,
    DemoConsole console,
    IHostApplicationLifetime lifetime,
    IOptions<DemoOptions> options,
    IServer server) : BackgroundService
{
    /// <summary>The report gives the year only; its 2022 milestones are dated at the end of that year, Beijing time.</summary>
    static readonly DateTimeOffset EndOf2022 = new(2022, 12, 31, 12, 0, 0, TimeSpan.FromHours(8));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WaitForStart(stoppingToken);
        var projects = options.Value.Projects.Select(catalog.Get).ToList();
        foreach (var project in projects)
        {
            foreach (var statement in project.Report.Reached2022.Where(s => s.Milestone is not null))
            {
                console.Write($"--> publishing MilestoneReached {project.Id} {statement.Milestone}: {statement.Text}");
                await bus.Publish(new MilestoneReached
                {
                    // Named ids: publishing the same report twice is one event delivered twice.
                    EventId = DeterministicGuid.Create($"demo/{project.Id}/{statement.Milestone}"),
                    ProjectId = project.Id,
                    MilestoneCode = statement.Milestone!,
                    OccurredAt = EndOf2022,
                    ReportedAt = EndOf2022,
                    SourceSystem = "fengtai-pmo",
                    Note = statement.Text,
                }, stoppingToken);
            }
        }

        await WaitForCompletions(projects, stoppingToken);
        foreach (var project in projects)
        {
            var snapshot = await store.LoadProject(project.Id, stoppingToken);
            console.Write(Describe(project, snapshot));
        }
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        console.Write($"Demo done. The service keeps running: try {address}/projects/subway-16-south (Ctrl+C to stop).");
    }

    async Task WaitForStart(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
    }

    /// <summary>Waits until every project the report's milestones complete is recorded complete, for at most 30 s.</summary>
    async Task WaitForCompletions(IReadOnlyList<ProjectDefinition> projects, CancellationToken stoppingToken)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        var expected = projects
            .Where(p => p.Plan.Required.All(code => p.Report.Reached2022.Any(s => s.Milestone == code)))
            .Select(p => p.Id)
            .ToList();
        while (DateTimeOffset.UtcNow < deadline)
        {
            var states = await store.ListProjects(stoppingToken);
            var reached = projects.Sum(p => p.Report.Reached2022.Count(s => s.Milestone is not null));
            var recorded = states.Where(s => projects.Any(p => p.Id == s.State.ProjectId)).Sum(s => s.State.Reached.Count);
            if (recorded >= reached && expected.All(id => states.Any(s => s.State.ProjectId == id && s.State.IsComplete)))
            {
                // Give the dispatcher a moment to publish and the subscriber to print.
                await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken);
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), stoppingToken);
        }
        console.Write("Demo: timed out waiting for the events to be recorded.");
    }

    static string Describe(ProjectDefinition project, ProjectSnapshot? snapshot)
    {
        var text = new StringBuilder();
        var state = snapshot?.State;
        text.AppendLine(CultureInfo.InvariantCulture, $"== {project.NameZh} ({project.NameEn}, {project.Id}) — {(state?.IsComplete == true ? "COMPLETE" : "not complete")}");
        foreach (var code in project.Plan.Milestones)
        {
            var mark = project.Plan.Required.Contains(code) ? "required" : "optional";
            var reached = state?.Reached.GetValueOrDefault(code);
            var line = reached is null
                ? $"   [ ] {code,-22} {mark}"
                : $"   [x] {code,-22} {mark}, reached {reached.OccurredAt:yyyy-MM-dd} (source {reached.SourceSystem})";
            text.AppendLine(line);
        }
        return text.ToString();
    }
}
