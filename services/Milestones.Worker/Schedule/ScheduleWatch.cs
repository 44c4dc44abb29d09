using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Recording;
using Milestones.Domain.Storage;
using Milestones.Worker.Consumers;
using Milestones.Worker.Outbox;
using Milestones.Worker.Telemetry;

namespace Milestones.Worker.Schedule;

/// <summary>
/// Finds the scheduled milestones whose due day has ended without them and records each as an <see cref="OverdueCheck"/>
/// through the same intake the consumers use, so that the <c>MilestoneOverdue</c> it announces goes out through the
/// outbox. The finding's event id comes from the project, the milestone and the due date: a second replica, or this one
/// after a restart, that finds the same milestone records a duplicate and announces nothing. The clock is the injected
/// <see cref="TimeProvider"/>, timers included.
/// </summary>
public sealed partial class ScheduleWatch(
    ProjectCatalog catalog,
    IProjectStore store,
    RecordingIntake intake,
    OutboxSignal outbox,
    IMeterFactory meterFactory,
    TimeProvider time,
    IOptions<ScheduleOptions> options,
    ILogger<ScheduleWatch> logger) : BackgroundService
{
    readonly Counter<long> found = meterFactory.Create(MilestonesTelemetry.Name)
        .CreateCounter<long>("milestones.schedule.overdue", "{milestone}", "Overdue milestones found and announced (once per milestone and due date)");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            LogDisabled();
            return;
        }
        using var timer = new PeriodicTimer(settings.Interval, time);
        do
        {
            try
            {
                await Check(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The store is down, most likely: the next pass finds the same milestones again.
                LogCheckFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass: records every overdue milestone not announced yet; returns how many this pass announced.</summary>
    public async Task<int> Check(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var snapshots = await store.ListProjects(cancellationToken);
        // A project another replica registered is watched too, under the entry the store holds.
        CatalogRefresh.PutInForce(catalog, snapshots);
        var states = snapshots.ToDictionary(s => s.State.ProjectId, s => s.State, StringComparer.Ordinal);

        var checks = new List<OverdueCheck>();
        foreach (var project in catalog.Projects)
        {
            var state = states.GetValueOrDefault(project.Id) ?? ProjectState.Empty(project.Id);
            var entry = catalog.EntryFor(project.Id, state.Registration) ?? project;
            checks.AddRange(state.Overdue(entry, now)
                .Where(s => !state.OverdueNoticed.Contains(ProjectState.OverdueKey(s.Milestone, s.Due)))
                .Select(s => new OverdueCheck(project.Id, s.Milestone, s.Due, now)));
        }
        if (checks.Count == 0)
        {
            return 0;
        }

        var outcomes = await Task.WhenAll(checks.Select(c => Record(c, cancellationToken)));
        var announced = 0;
        for (var i = 0; i < checks.Count; i++)
        {
            if (outcomes[i]?.Announcements.OfType<OverdueNotice>().FirstOrDefault() is { } notice)
            {
                announced++;
                found.Add(1);
                LogOverdue(notice.ProjectId, notice.MilestoneCode, notice.Due, notice.DaysLate);
            }
        }
        if (announced > 0)
        {
            outbox.Notify();
        }
        return announced;
    }

    /// <summary>
    /// Records one finding; null when it failed (the next pass tries again) or was refused (reached meanwhile, or the
    /// schedule changed: not overdue after all). A duplicate is another replica's, or an earlier pass's, announcement.
    /// </summary>
    async Task<RecordOutcome?> Record(OverdueCheck check, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await intake.Record(RecordRequest.Of(check), cancellationToken);
            if (outcome.Status == RecordStatus.Duplicate)
            {
                LogAlreadyAnnounced(check.ProjectId, check.MilestoneCode, check.Due);
            }
            return outcome;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogRecordFailed(ex, check.ProjectId, check.MilestoneCode, check.Due);
            return null;
        }
    }

    [LoggerMessage(LogLevel.Information, "The schedule watch is off (Schedule:Enabled=false): this replica announces no overdue milestones")]
    partial void LogDisabled();

    [LoggerMessage(LogLevel.Warning, "Milestone {MilestoneCode} of project {ProjectId} is overdue: due {Due:yyyy-MM-dd}, {DaysLate} day(s) late")]
    partial void LogOverdue(string projectId, string milestoneCode, DateOnly due, int daysLate);

    [LoggerMessage(LogLevel.Debug, "Milestone {MilestoneCode} of project {ProjectId} due {Due:yyyy-MM-dd} was announced as overdue already")]
    partial void LogAlreadyAnnounced(string projectId, string milestoneCode, DateOnly due);

    [LoggerMessage(LogLevel.Warning, "Could not record milestone {MilestoneCode} of project {ProjectId} due {Due:yyyy-MM-dd} as overdue; the next pass tries again")]
    partial void LogRecordFailed(Exception exception, string projectId, string milestoneCode, DateOnly due);

    [LoggerMessage(LogLevel.Warning, "The schedule watch could not read the projects; the next pass tries again")]
    partial void LogCheckFailed(Exception exception);
}
