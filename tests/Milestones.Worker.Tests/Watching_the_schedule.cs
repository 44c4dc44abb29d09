using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Recording;
using Milestones.Domain.Storage;
using Milestones.Worker.Schedule;
using static Milestones.Domain.MilestoneVocabulary;

namespace Milestones.Worker.Tests;

/// <summary>
/// The schedule watch in virtual time: the catalog's six scheduled milestones are all due on 31 December 2023, whose end
/// in China Standard Time is 2023-12-31T16:00Z. The stores start empty, so none of them is reached unless a test says so.
/// </summary>
public class Watching_the_schedule
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    static readonly DateTimeOffset DueEnd = new(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));

    /// <summary>The catalog's scheduled milestones: (project, milestone), all due 2023-12-31.</summary>
    static readonly (string Project, string Milestone)[] Scheduled =
    [
        ("lize-international-finance-city", ConstructionStarted),
        ("lize-city-sports-park-phase-2", Opened),
        ("yuanbo-innovation-center", ToppedOut),
        ("south-axis-culture-tech-park", Opened),
        ("fangzhuang-culture-arts-center", Completed),
        ("changxindian-old-town-renewal", ConstructionStarted),
    ];

    /// <summary>
    /// A worker on the virtual clock. With its timer off (the default here) only the test's own passes run, so what each
    /// pass returns is what it announced; the watch's timer has a test of its own. A virtual clock set forward fires a
    /// periodic timer once for every period it skips, so the catalog refresh runs hourly here and the clock moves by days.
    /// </summary>
    static WorkerFactory Worker(FakeTimeProvider time, string? databasePath = null, bool timer = false) => new(
        new() { ["Schedule:Enabled"] = timer ? "true" : "false", ["Schedule:Interval"] = "00:01:00", ["Catalog:RefreshInterval"] = "01:00:00" },
        services => services.AddSingleton<TimeProvider>(time),
        databasePath);

    static Guid OverdueId(string project, string milestone, DateOnly due) => new OverdueNotice(project, milestone, due, default, 0).MessageId;

    static async Task<IReadOnlyList<EventRecord>> OverdueEvents(WorkerFactory worker, string project) =>
        (await worker.Services.GetRequiredService<IProjectStore>().GetTimeline(project, int.MaxValue, Cancel))
            .Where(e => e.Kind == EventKind.Overdue).ToList();

    static async Task<bool> Enqueued(WorkerFactory worker, string project, Guid messageId) =>
        (await worker.Services.GetRequiredService<IStoreMaintenance>().ReadEnqueuedMessageIds(project, Cancel))!.Contains(messageId);

    static Task Until(Func<Task<bool>> condition) => Poll.Until(condition, TimeSpan.FromSeconds(30), "the schedule watch's findings");

    [Fact]
    public async Task Finds_nothing_before_the_due_day_ends_and_each_milestone_once_after_it()
    {
        var time = new FakeTimeProvider(DueEnd.AddMinutes(-30));
        await using var worker = Worker(time, timer: true);
        await worker.Start();
        var watch = worker.Services.GetRequiredService<ScheduleWatch>();
        using var announced = new MetricCollector<long>(worker.Services.GetRequiredService<IMeterFactory>(), "Milestones", "milestones.schedule.overdue");

        // 23:30 on the due day, then 23:59 (the timer's passes in between): not overdue yet.
        time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(0, await watch.Check(Cancel));
        foreach (var (project, milestone) in Scheduled)
        {
            Assert.Empty(await OverdueEvents(worker, project));
            Assert.False(await Enqueued(worker, project, OverdueId(project, milestone, new DateOnly(2023, 12, 31))));
        }

        // The day ends: the timer's next pass (not a direct call) finds all six.
        time.Advance(TimeSpan.FromMinutes(2));
        foreach (var (project, milestone) in Scheduled)
        {
            await Until(() => Enqueued(worker, project, OverdueId(project, milestone, new DateOnly(2023, 12, 31))));
        }

        // Later passes announce nothing again.
        for (var i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
        }
        Assert.Equal(0, await watch.Check(Cancel));
        // The timer's pass counts its findings once each is recorded, which can be just after the entries show: wait for it.
        await Until(() => Task.FromResult(announced.GetMeasurementSnapshot().EvaluateAsCounter() >= Scheduled.Length));
        Assert.Equal(Scheduled.Length, announced.GetMeasurementSnapshot().EvaluateAsCounter());
        foreach (var (project, milestone) in Scheduled)
        {
            var overdue = Assert.Single(await OverdueEvents(worker, project));
            Assert.Equal(milestone, overdue.MilestoneCode);
        }
    }

    [Fact]
    public async Task Two_workers_on_one_store_announce_each_milestone_once()
    {
        var time = new FakeTimeProvider(DueEnd.AddDays(3));
        await using var first = Worker(time);
        await using var second = Worker(time, first.DatabasePath);
        await first.Start();
        await second.Start();
        var a = first.Services.GetRequiredService<ScheduleWatch>();
        var b = second.Services.GetRequiredService<ScheduleWatch>();

        // Both at once, twice: six announcements between them, whoever wins each.
        var passes = await Task.WhenAll(a.Check(Cancel), b.Check(Cancel), a.Check(Cancel), b.Check(Cancel));

        Assert.Equal(Scheduled.Length, passes.Sum());
        foreach (var (project, _) in Scheduled)
        {
            Assert.Single(await OverdueEvents(first, project));
        }
    }

    [Fact]
    public async Task A_restarted_worker_does_not_announce_again()
    {
        var time = new FakeTimeProvider(DueEnd.AddDays(1));
        string path;
        await using (var before = Worker(time))
        {
            await before.Start();
            Assert.Equal(Scheduled.Length, await before.Services.GetRequiredService<ScheduleWatch>().Check(Cancel));
            path = before.DatabasePath;
        }

        time.Advance(TimeSpan.FromDays(30));
        await using var after = Worker(time, path);
        await after.Start();

        Assert.Equal(0, await after.Services.GetRequiredService<ScheduleWatch>().Check(Cancel));
        foreach (var (project, _) in Scheduled)
        {
            Assert.Single(await OverdueEvents(after, project));
        }
    }

    [Fact]
    public async Task A_milestone_reached_before_its_due_date_is_never_overdue()
    {
        var time = new FakeTimeProvider(DueEnd.AddDays(200));
        await using var worker = Worker(time);
        await worker.Start();
        var recorder = worker.Services.GetRequiredService<MilestoneRecorder>();
        var reached = await recorder.Record(new MilestoneEvent
        {
            EventId = Guid.NewGuid(),
            ProjectId = "yuanbo-innovation-center",
            MilestoneCode = ToppedOut,
            OccurredAt = new DateTimeOffset(2023, 10, 20, 10, 0, 0, TimeSpan.FromHours(8)),
            ReportedAt = new DateTimeOffset(2023, 10, 21, 10, 0, 0, TimeSpan.FromHours(8)),
            SourceSystem = "zgc-fengtai-pmo",
        }, Cancel);
        Assert.Equal(RecordStatus.Applied, reached.Status);

        var announced = await worker.Services.GetRequiredService<ScheduleWatch>().Check(Cancel);

        Assert.Equal(Scheduled.Length - 1, announced);
        Assert.Empty(await OverdueEvents(worker, "yuanbo-innovation-center"));
    }

    [Fact]
    public async Task A_registration_that_moves_the_due_date_is_watched_at_the_new_date()
    {
        var time = new FakeTimeProvider(DueEnd.AddDays(1));
        await using var worker = Worker(time);
        await worker.Start();
        var watch = worker.Services.GetRequiredService<ScheduleWatch>();
        const string project = "changxindian-old-town-renewal";
        Assert.Equal(Scheduled.Length, await watch.Check(Cancel));

        // The registrar moves the start to 10 January 2024.
        var catalog = worker.Services.GetRequiredService<ProjectCatalog>();
        var moved = new DateOnly(2024, 1, 10);
        var amended = catalog.Get(project) with { Revision = 2, Schedule = [new ScheduledMilestone(ConstructionStarted, moved, "1月10日前开工")] };
        var registered = await worker.Services.GetRequiredService<MilestoneRecorder>().Record(
            [RecordRequest.Of(new CatalogRegistration { EventId = Guid.NewGuid(), Definition = amended, RegisteredAt = time.GetUtcNow(), SourceSystem = "fengtai-pmo" })],
            Cancel);
        Assert.Equal(RecordStatus.Applied, registered[0].Status);

        // Not before the new date's end; once, after it.
        time.SetUtcNow(new DateTimeOffset(2024, 1, 10, 23, 0, 0, TimeSpan.FromHours(8)));
        Assert.Equal(0, await watch.Check(Cancel));
        time.SetUtcNow(new DateTimeOffset(2024, 1, 11, 0, 0, 0, TimeSpan.FromHours(8)));
        Assert.Equal(1, await watch.Check(Cancel));
        Assert.Equal(0, await watch.Check(Cancel));

        var overdue = await OverdueEvents(worker, project);
        Assert.Equal(2, overdue.Count);
        Assert.True(await Enqueued(worker, project, OverdueId(project, ConstructionStarted, moved)));
    }
}
