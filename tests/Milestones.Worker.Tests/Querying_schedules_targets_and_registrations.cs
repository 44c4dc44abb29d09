using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Recording;
using Milestones.Worker.Schedule;
using static Milestones.Domain.MilestoneVocabulary;

namespace Milestones.Worker.Tests;

/// <summary>
/// What the API says about schedules, targets and registrations, on a virtual clock: the catalog's scheduled milestones
/// are due on 31 December 2023, whose end in China Standard Time is 2023-12-31T16:00Z.
/// </summary>
public class Querying_schedules_targets_and_registrations
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    static readonly DateTimeOffset DueEnd = new(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));

    static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    static WorkerFactory Worker(FakeTimeProvider time) => new(
        new() { ["Catalog:RefreshInterval"] = "01:00:00" },
        services => services.AddSingleton<TimeProvider>(time));

    static async Task Record(WorkerFactory worker, RecordRequest request)
    {
        var outcome = await worker.Services.GetRequiredService<MilestoneRecorder>().Record([request], Cancel);
        Assert.Equal(RecordStatus.Applied, outcome[0].Status);
    }

    static RecordRequest Reached(string project, string code, DateTimeOffset at, string source) => RecordRequest.Of(new MilestoneEvent
    {
        EventId = Guid.NewGuid(), ProjectId = project, MilestoneCode = code, OccurredAt = at, ReportedAt = at.AddHours(1), SourceSystem = source,
    });

    static RecordRequest Progress(string project, string metric, decimal value, string unit, DateTimeOffset at) => RecordRequest.Of(new ProgressReport
    {
        EventId = Guid.NewGuid(), ProjectId = project, Metric = metric, Value = value, Unit = unit, OccurredAt = at, ReportedAt = at.AddHours(1),
        SourceSystem = "south-axis-pmo",
    });

    static string[] Ids(JsonElement[] projects) => [.. projects.Select(p => p.GetProperty("id").GetString()!).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Lists_only_the_projects_with_a_milestone_overdue_now_and_says_which()
    {
        var time = new FakeTimeProvider(DueEnd.AddHours(-1));
        await using var worker = Worker(time);
        await worker.Start();
        var client = worker.CreateClient();
        // 元宝创新中心 topped out on time: never overdue.
        await Record(worker, Reached("yuanbo-innovation-center", ToppedOut, new DateTimeOffset(2023, 12, 20, 10, 0, 0, Cst), "zgc-fengtai-pmo"));

        var before = await client.GetFromJsonAsync<JsonElement[]>("/projects?overdue=true", Cancel);
        time.Advance(TimeSpan.FromDays(3) + TimeSpan.FromHours(1));
        var after = await client.GetFromJsonAsync<JsonElement[]>("/projects?overdue=true", Cancel);
        var notOverdue = await client.GetFromJsonAsync<JsonElement[]>("/projects?overdue=false", Cancel);
        var all = await client.GetFromJsonAsync<JsonElement[]>("/projects", Cancel);

        Assert.Empty(before!);
        Assert.Equal(
            ["changxindian-old-town-renewal", "fangzhuang-culture-arts-center", "lize-city-sports-park-phase-2", "lize-international-finance-city", "south-axis-culture-tech-park"],
            Ids(after!));
        var sports = after!.Single(p => p.GetProperty("id").GetString() == "lize-city-sports-park-phase-2");
        var overdue = Assert.Single(sports.GetProperty("overdue").EnumerateArray());
        Assert.Equal(Opened, overdue.GetProperty("milestone").GetString());
        Assert.Equal("2023-12-31", overdue.GetProperty("due").GetString());
        Assert.Equal(3, overdue.GetProperty("daysLate").GetInt32());
        Assert.Equal(all!.Length, after!.Length + notOverdue!.Length);
        Assert.Contains("yuanbo-innovation-center", Ids(notOverdue));
    }

    [Fact]
    public async Task Shows_each_scheduled_milestone_planned_against_actual()
    {
        var time = new FakeTimeProvider(DueEnd.AddDays(10));
        await using var worker = Worker(time);
        await worker.Start();
        // Topped out four and a half days after its due day ended.
        await Record(worker, Reached("yuanbo-innovation-center", ToppedOut, new DateTimeOffset(2024, 1, 5, 12, 0, 0, Cst), "zgc-fengtai-pmo"));

        var late = await worker.CreateClient().GetFromJsonAsync<JsonElement>("/projects/yuanbo-innovation-center", Cancel);
        var overdue = await worker.CreateClient().GetFromJsonAsync<JsonElement>("/projects/fangzhuang-culture-arts-center", Cancel);

        var reached = Assert.Single(late.GetProperty("schedule").EnumerateArray());
        Assert.Equal(ToppedOut, reached.GetProperty("milestone").GetString());
        Assert.Equal("2023-12-31", reached.GetProperty("due").GetString());
        Assert.Equal(new DateTimeOffset(2024, 1, 5, 12, 0, 0, Cst), reached.GetProperty("reachedAt").GetDateTimeOffset());
        Assert.True(reached.GetProperty("late").GetBoolean());
        Assert.Equal(4, reached.GetProperty("daysLate").GetInt32());
        Assert.False(reached.GetProperty("overdue").GetBoolean());
        var missing = Assert.Single(overdue.GetProperty("schedule").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, missing.GetProperty("reachedAt").ValueKind);
        Assert.True(missing.GetProperty("overdue").GetBoolean());
        Assert.Equal(10, missing.GetProperty("daysLate").GetInt32());
        Assert.Equal(1, overdue.GetProperty("revision").GetInt32());
        Assert.Equal("catalog-file", overdue.GetProperty("source").GetProperty("kind").GetString());
        Assert.Equal("丰台区2023年政府工作报告", overdue.GetProperty("source").GetProperty("title").GetString());
    }

    [Fact]
    public async Task Shows_each_target_with_its_latest_value_and_whether_it_is_met()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2023, 12, 1, 0, 0, 0, TimeSpan.Zero));
        await using var worker = Worker(time);
        await worker.Start();
        // Measured later but arriving first: the latest measurement is the value.
        await Record(worker, Progress("nanyuan-forest-wetland-park", "open-area", 2037, "mu", new DateTimeOffset(2023, 11, 20, 9, 0, 0, Cst)));
        await Record(worker, Progress("nanyuan-forest-wetland-park", "open-area", 1600, "mu", new DateTimeOffset(2023, 8, 1, 9, 0, 0, Cst)));

        var project = await worker.CreateClient().GetFromJsonAsync<JsonElement>("/projects/nanyuan-forest-wetland-park", Cancel);
        var timeline = await worker.CreateClient().GetFromJsonAsync<JsonElement>("/projects/nanyuan-forest-wetland-park/events", Cancel);

        var target = Assert.Single(project.GetProperty("targets").EnumerateArray());
        Assert.Equal("open-area", target.GetProperty("metric").GetString());
        Assert.Equal("mu", target.GetProperty("unit").GetString());
        Assert.Equal(2037m, target.GetProperty("target").GetDecimal());
        Assert.Equal(2037m, target.GetProperty("value").GetDecimal());
        Assert.Equal(new DateTimeOffset(2023, 11, 20, 9, 0, 0, Cst), target.GetProperty("measuredAt").GetDateTimeOffset());
        Assert.True(target.GetProperty("met").GetBoolean());
        Assert.Equal(1, target.GetProperty("timesMet").GetInt32());
        var progress = timeline.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["progress", "progress"], progress.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal([1600m, 2037m], progress.Select(e => e.GetProperty("progress").GetProperty("value").GetDecimal()));
        Assert.All(progress, e => Assert.Equal("open-area", e.GetProperty("progress").GetProperty("metric").GetString()));
    }

    [Fact]
    public async Task Shows_a_registered_revision_with_its_registrar_and_the_timeline_its_kinds()
    {
        var time = new FakeTimeProvider(DueEnd.AddDays(1));
        await using var worker = Worker(time);
        await worker.Start();
        const string id = "changxindian-old-town-renewal";
        Assert.Equal(6, await worker.Services.GetRequiredService<ScheduleWatch>().Check(Cancel));
        var amended = worker.Services.GetRequiredService<ProjectCatalog>().Get(id) with
        {
            Revision = 2,
            Schedule = [new ScheduledMilestone(ConstructionStarted, new DateOnly(2024, 3, 31), "一季度开工")],
        };
        var registration = Refreshing_the_catalog.Registration(amended, time.GetUtcNow());
        await Record(worker, registration);

        var project = await worker.CreateClient().GetFromJsonAsync<JsonElement>($"/projects/{id}", Cancel);
        var timeline = (await worker.CreateClient().GetFromJsonAsync<JsonElement>($"/projects/{id}/events", Cancel)).GetProperty("events").EnumerateArray().ToList();

        Assert.Equal(2, project.GetProperty("revision").GetInt32());
        var source = project.GetProperty("source");
        Assert.Equal("registration", source.GetProperty("kind").GetString());
        Assert.Equal("fengtai-pmo", source.GetProperty("registeredBy").GetString());
        Assert.Equal(registration.EventId, source.GetProperty("eventId").GetGuid());
        Assert.Equal(time.GetUtcNow(), source.GetProperty("registeredAt").GetDateTimeOffset());
        var schedule = Assert.Single(project.GetProperty("schedule").EnumerateArray());
        Assert.Equal("2024-03-31", schedule.GetProperty("due").GetString());
        Assert.False(schedule.GetProperty("overdue").GetBoolean());
        Assert.Equal(["overdue", "registration"], timeline.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal("2023-12-31", timeline[0].GetProperty("due").GetString());
        Assert.Equal(ConstructionStarted, timeline[0].GetProperty("milestoneCode").GetString());
        Assert.Equal(2, timeline[1].GetProperty("revision").GetInt32());
    }

    [Fact]
    public async Task The_tag_changes_when_the_due_day_ends_though_no_event_arrived()
    {
        var time = new FakeTimeProvider(DueEnd.AddMinutes(-5));
        await using var worker = Worker(time);
        await worker.Start();
        const string path = "/projects/lize-city-sports-park-phase-2";
        using var first = await worker.CreateClient().GetAsync(path, Cancel);

        using var unchanged = await Conditional(worker, path, first.Headers.ETag!.Tag);
        time.Advance(TimeSpan.FromMinutes(10));
        using var due = await Conditional(worker, path, first.Headers.ETag.Tag);

        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, due.StatusCode);
        Assert.NotEqual(first.Headers.ETag, due.Headers.ETag);
        var body = await due.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.True(body.GetProperty("schedule")[0].GetProperty("overdue").GetBoolean());
    }

    static Task<HttpResponseMessage> Conditional(WorkerFactory worker, string path, string ifNoneMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return worker.CreateClient().SendAsync(request, Cancel);
    }
}
