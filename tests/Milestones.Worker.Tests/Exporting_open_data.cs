using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Milestones.Domain.Projects;
using Milestones.Domain.Recording;
using NJsonSchema;
using static Milestones.Domain.MilestoneVocabulary;

namespace Milestones.Worker.Tests;

/// <summary>
/// The OC4IDS export, validated against the project package schema shipped in docs/oc4ids (written from the standard's
/// field definitions; see the README there).
/// </summary>
public class Exporting_open_data
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    static string SchemaDirectory => Paths.PathOf("docs/oc4ids");

    static Task<JsonSchema> PackageSchema() =>
        JsonSchema.FromFileAsync(Path.Combine(SchemaDirectory, "project-package.schema.json"), Cancel);

    static async Task Record(WorkerFactory worker, RecordRequest request) =>
        Assert.Equal(RecordStatus.Applied, (await worker.Services.GetRequiredService<MilestoneRecorder>().Record([request], Cancel))[0].Status);

    [Fact]
    public async Task The_export_validates_against_the_oc4ids_schema_and_maps_each_milestone()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 1, 3, 0, 0, 0, Cst));
        await using var worker = new WorkerFactory(services: s => s.AddSingleton<TimeProvider>(time));
        await worker.Start();
        await Record(worker, RecordRequest.Of(new MilestoneEvent
        {
            EventId = Guid.NewGuid(), ProjectId = "subway-16-south", MilestoneCode = Opened,
            OccurredAt = new DateTimeOffset(2022, 12, 30, 6, 0, 0, Cst), ReportedAt = new DateTimeOffset(2022, 12, 30, 12, 0, 0, Cst), SourceSystem = "metro-operator",
        }));
        await Record(worker, RecordRequest.Of(new ProgressReport
        {
            EventId = Guid.NewGuid(), ProjectId = "high-standard-farmland-2023", Metric = "farmland-area", Value = 120, Unit = "mu",
            OccurredAt = new DateTimeOffset(2023, 9, 1, 9, 0, 0, Cst), ReportedAt = new DateTimeOffset(2023, 9, 2, 9, 0, 0, Cst), SourceSystem = "fengtai-pmo",
        }));

        var body = await worker.CreateClient().GetStringAsync("/export/oc4ids", Cancel);
        var errors = (await PackageSchema()).Validate(body);

        Assert.Empty(errors.Select(e => e.ToString()));
        var package = JsonDocument.Parse(body).RootElement;
        Assert.Equal("0.9", package.GetProperty("version").GetString());
        var projects = package.GetProperty("projects").EnumerateArray().ToDictionary(p => p.GetProperty("id").GetString()!);
        var metro = projects["subway-16-south"];
        Assert.Equal("completed", metro.GetProperty("status").GetString());
        var opened = metro.GetProperty("milestones").EnumerateArray().Single(m => m.GetProperty("code").GetString() == Opened);
        Assert.Equal("met", opened.GetProperty("status").GetString());
        Assert.Equal("delivery", opened.GetProperty("type").GetString());
        Assert.Equal(new DateTimeOffset(2022, 12, 30, 6, 0, 0, Cst), opened.GetProperty("dateMet").GetDateTimeOffset());
        // Due on 31 December 2023, not reached: not met once that day ended.
        var park = projects["lize-city-sports-park-phase-2"].GetProperty("milestones").EnumerateArray().Single(m => m.GetProperty("code").GetString() == Opened);
        Assert.Equal("notMet", park.GetProperty("status").GetString());
        Assert.Equal(new DateTimeOffset(2023, 12, 31, 23, 59, 59, Cst), park.GetProperty("dueDate").GetDateTimeOffset());
        var unscheduled = projects["lize-city-terminal"].GetProperty("milestones").EnumerateArray().First();
        Assert.Equal("scheduled", unscheduled.GetProperty("status").GetString());
        Assert.False(unscheduled.TryGetProperty("dueDate", out _));
        var farmland = Assert.Single(projects["high-standard-farmland-2023"].GetProperty("targets").EnumerateArray());
        Assert.Equal(120m, farmland.GetProperty("value").GetDecimal());
        Assert.Equal(300m, farmland.GetProperty("target").GetDecimal());
        Assert.False(farmland.GetProperty("met").GetBoolean());
        Assert.Equal("implementation", projects["high-standard-farmland-2023"].GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_schema_refuses_what_oc4ids_does_not_allow()
    {
        var schema = await PackageSchema();

        var badStatus = schema.Validate("""{"uri":"https://example.org/export/oc4ids","publishedDate":"2024-01-01T00:00:00Z","version":"0.9","publisher":{"name":"x"},"projects":[{"id":"p","status":"done"}]}""");
        var noProjects = schema.Validate("""{"uri":"https://example.org/export/oc4ids","publishedDate":"2024-01-01T00:00:00Z","version":"0.9","publisher":{"name":"x"},"projects":[]}""");
        var badVersion = schema.Validate("""{"uri":"https://example.org/export/oc4ids","publishedDate":"2024-01-01T00:00:00Z","version":"0.9.1","publisher":{"name":"x"},"projects":[{"id":"p"}]}""");

        var badMilestone = schema.Validate("""{"uri":"https://example.org/export/oc4ids","publishedDate":"2024-01-01T00:00:00Z","version":"0.9","publisher":{"name":"x"},"projects":[{"id":"p","milestones":[{"id":"p/opened","status":"done"}]}]}""");
        var milestoneWithoutId = schema.Validate("""{"uri":"https://example.org/export/oc4ids","publishedDate":"2024-01-01T00:00:00Z","version":"0.9","publisher":{"name":"x"},"projects":[{"id":"p","milestones":[{"status":"met"}]}]}""");

        Assert.NotEmpty(badStatus);
        Assert.NotEmpty(badMilestone);
        Assert.NotEmpty(milestoneWithoutId);
        Assert.NotEmpty(noProjects);
        Assert.NotEmpty(badVersion);
    }
}
