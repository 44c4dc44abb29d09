using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Recording;
using Milestones.Domain.Validation;
using Milestones.Worker.Schedule;
using static Milestones.Domain.MilestoneVocabulary;

namespace Milestones.Worker.Tests;

/// <summary>Two replicas on one store: a registration recorded by one is in force on the other after its next refresh, without a restart.</summary>
public class Refreshing_the_catalog
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    internal static ProjectDefinition NewLibrary(int revision = 1) => new()
    {
        Id = "fengtai-district-library",
        NameZh = "丰台区图书馆新馆",
        NameEn = "Fengtai District Library (new building)",
        Area = "丰台科技园",
        ExistsSince = new DateOnly(2023, 3, 1),
        Plan = new MilestonePlan([ConstructionStarted, Completed, Opened], [Opened]),
        Schedule = [new ScheduledMilestone(Opened, new DateOnly(2024, 12, 31), "2024年底开馆")],
        Revision = revision,
    };

    internal static RecordRequest Registration(ProjectDefinition entry, DateTimeOffset at) =>
        RecordRequest.Of(new CatalogRegistration { EventId = Guid.NewGuid(), Definition = entry, RegisteredAt = at, SourceSystem = "fengtai-pmo" });

    static MilestoneEvent LibraryStarted(DateTimeOffset now) => new()
    {
        EventId = Guid.NewGuid(),
        ProjectId = "fengtai-district-library",
        MilestoneCode = ConstructionStarted,
        OccurredAt = now.AddDays(-2),
        ReportedAt = now.AddDays(-1),
        SourceSystem = "fengtai-pmo",
    };

    [Fact]
    public async Task A_registration_made_through_one_replica_is_in_force_on_the_other_after_its_next_refresh()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2023, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var settings = new Dictionary<string, string?> { ["Catalog:RefreshInterval"] = "00:00:30" };
        await using var first = new WorkerFactory(settings, s => s.AddSingleton<TimeProvider>(time));
        await using var second = new WorkerFactory(settings, s => s.AddSingleton<TimeProvider>(time), first.DatabasePath);
        await first.Start();
        await second.Start();
        var catalog = second.Services.GetRequiredService<ProjectCatalog>();
        var validator = second.Services.GetRequiredService<MilestoneValidator>();
        await RefreshedAtStart(second);

        var registered = await first.Services.GetRequiredService<MilestoneRecorder>().Record([Registration(NewLibrary(), time.GetUtcNow())], Cancel);
        Assert.Equal(RecordStatus.Applied, registered[0].Status);
        Assert.False(catalog.TryGet("fengtai-district-library", out _));
        Assert.Equal(RejectionReason.UnknownProject, validator.Validate(LibraryStarted(time.GetUtcNow()))?.Reason);

        time.Advance(TimeSpan.FromSeconds(30));
        await Poll.Until(() => catalog.TryGet("fengtai-district-library", out _), TimeSpan.FromSeconds(30),
            "the second replica did not put the registration in force");

        Assert.Null(validator.Validate(LibraryStarted(time.GetUtcNow())));
        var listed = await second.CreateClient().GetFromJsonAsync<JsonElement[]>("/projects", Cancel);
        Assert.Contains(listed!, p => p.GetProperty("id").GetString() == "fengtai-district-library");
    }

    [Fact]
    public async Task The_api_answers_with_the_entry_the_store_holds_before_the_refresh()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2023, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var settings = new Dictionary<string, string?> { ["Catalog:RefreshInterval"] = "01:00:00" };
        await using var first = new WorkerFactory(settings, s => s.AddSingleton<TimeProvider>(time));
        await using var second = new WorkerFactory(settings, s => s.AddSingleton<TimeProvider>(time), first.DatabasePath);
        await first.Start();
        await second.Start();
        await RefreshedAtStart(second);
        var client = second.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/projects/fengtai-district-library", Cancel)).StatusCode);

        await first.Services.GetRequiredService<MilestoneRecorder>().Record([Registration(NewLibrary(), time.GetUtcNow())], Cancel);

        var project = await client.GetFromJsonAsync<JsonElement>("/projects/fengtai-district-library", Cancel);
        Assert.Equal(1, project.GetProperty("revision").GetInt32());
        Assert.Equal("registration", project.GetProperty("source").GetProperty("kind").GetString());
        Assert.False(second.Services.GetRequiredService<ProjectCatalog>().TryGet("fengtai-district-library", out _));
    }

    /// <summary>
    /// A replica's refresh at start runs in the background: a registration recorded before that first read would be in
    /// force from it, not from the refresh a test waits for.
    /// </summary>
    static Task RefreshedAtStart(WorkerFactory replica) =>
        Poll.Until(() => replica.Services.GetRequiredService<CatalogRefresh>().LastRefreshed is not null, TimeSpan.FromSeconds(30),
            "the replica's refresh at start");
}
