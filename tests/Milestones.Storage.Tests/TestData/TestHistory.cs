using System.Text.Json;
using System.Text.Json.Serialization;
using Milestones.Domain;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;

namespace Milestones.Storage.Tests.TestData;

/// <summary>
/// A history that gives a project every kind of stored data that came with progress, registrations and overdue findings:
/// a registration (revision 2, with a required target and a schedule), progress reports with awkward decimals, a
/// retraction of one, an overdue finding, and the announcements they decide (a target met, a completion with its
/// targets, a reopening by progress, an overdue milestone) together with the feed item of every event. Built with the
/// domain, so the states and announcements are those the recorder would store. Instants are in UTC (with sub-millisecond
/// ticks) so that stores that keep UTC only can be compared with <see cref="Json"/>.
/// </summary>
public static class TestHistory
{
    public const string Project = TestCatalog.School;
    public const string Metric = "farmland-area";
    public const string Registrar = "test-registrar";

    /// <summary>A value whose scale and digits a double would not keep.</summary>
    public const decimal Exact = 300.1000000000000000000000001m;

    /// <summary>Deep comparison of domain values: every field, lists by content, enums by name.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static string Canonical(object? value) => JsonSerializer.Serialize(value, value?.GetType() ?? typeof(object), Json);

    static DateTimeOffset At(int day, int ticks = 0) => new DateTimeOffset(2023, 1, 1, 2, 0, 0, TimeSpan.Zero).AddDays(day).AddTicks(1_234_567 + ticks);

    public static ProjectDefinition Entry { get; } = new()
    {
        Id = Project,
        NameZh = "测试项目 农田",
        NameEn = "Test farmland",
        Area = "测试区",
        Kind = "ecology",
        ExistsSince = new DateOnly(2020, 1, 1),
        Plan = new MilestonePlan([MilestoneVocabulary.ConstructionStarted, MilestoneVocabulary.Completed], [MilestoneVocabulary.ConstructionStarted]),
        Targets = [new QuantitativeTarget(Metric, "亩", 12.5m, 300m, Required: true, "新增农田300亩")],
        Schedule = [new ScheduledMilestone(MilestoneVocabulary.Completed, new DateOnly(2023, 3, 31), "年内建成")],
        Reporters = [TestCatalog.Source],
        Revision = 2,
        Report = new ReportExtract { Planned2023 = [new ReportStatement(MilestoneVocabulary.Completed, "建成")] },
    };

    public static CatalogRegistration Registration { get; } = new()
    {
        EventId = Guid.Parse("6a0c3f50-47c4-4e5b-9d0b-2f1d6f3a9e01"),
        Definition = Entry,
        RegisteredAt = At(0),
        SourceSystem = Registrar,
        Note = "登记",
    };

    public static ProgressReport Progress(decimal value, int day, Guid? id = null) => new()
    {
        EventId = id ?? Guid.NewGuid(),
        ProjectId = Project,
        Metric = Metric,
        Value = value,
        Unit = "亩",
        OccurredAt = At(day),
        ReportedAt = At(day, 99),
        SourceSystem = TestCatalog.Source,
        Note = "进度",
    };

    public static MilestoneEvent Started { get; } = new()
    {
        EventId = Guid.Parse("0b7e2d7a-7f55-4c2e-8d1e-1c1f3f6a5b02"),
        ProjectId = Project,
        MilestoneCode = MilestoneVocabulary.ConstructionStarted,
        OccurredAt = At(3),
        ReportedAt = At(3, 7),
        SourceSystem = TestCatalog.Source,
        Note = "开工",
        EvidenceUrl = "https://example.org/report/2",
    };

    /// <summary>The history's records in the order recorded, the state after each, and every announcement with its outbox entry.</summary>
    public sealed record Recorded(IReadOnlyList<EventRecord> Events, ProjectState State, IReadOnlyList<OutboxEntry> Outbox, IReadOnlyList<ProjectCommit> Commits);

    /// <summary>Runs the history through the domain; one commit per event, as a recorder taking them one by one would write.</summary>
    public static Recorded Build(DateTimeOffset now)
    {
        var commits = new List<ProjectCommit>();
        var state = ProjectState.Empty(Project);
        var rule = CompletionRule.Of(Entry);
        var version = 0L;

        // Each event recorded a second after the one before, so that every store reads them back in one recorded order.
        DateTimeOffset Next() => now.AddSeconds(commits.Count);

        void Commit(EventRecord record, ProjectDecision outcome)
        {
            var outbox = outcome.Announcements.Select(a => OutboxEntry.For(a, record.RecordedAt, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")).ToList();
            outbox.Add(OutboxEntry.For(new EventRecordedNotice(record, outcome.Changed, outcome.State.IsComplete), record.RecordedAt));
            commits.Add(new ProjectCommit([record], version++, outcome.State, outbox));
            state = outcome.State;
        }

        Commit(EventRecord.From(Registration, Next()), state.Register(null, Registration));
        Commit(EventRecord.From(Started, Next()), state.Apply(rule, Started));
        var met = Progress(Exact, 10);
        Commit(EventRecord.From(met, Next()), state.Apply(rule, met));          // the target met, and the project complete
        var lower = Progress(120.50m, 20);
        Commit(EventRecord.From(lower, Next()), state.Apply(rule, lower));      // below the target again: reopened by progress
        var retraction = new Retraction
        {
            EventId = Guid.NewGuid(), ProjectId = Project, RetractedEventId = lower.EventId, Reason = "报错了", RetractedAt = At(25), SourceSystem = TestCatalog.Source,
        };
        var record = new RetractionRecord(retraction.EventId, lower.EventId, retraction.SourceSystem, true, retraction.Reason, retraction.RetractedAt);
        Commit(EventRecord.From(retraction, string.Empty, Next(), new ProgressValue(lower.Metric, lower.Value, lower.Unit)),
            state.Retract(rule, record, [], [met.ToReading(), lower.ToReading()]));  // the earlier value back: met and complete again
        var overdue = new OverdueCheck(Project, MilestoneVocabulary.Completed, new DateOnly(2023, 3, 31), At(120));
        Commit(EventRecord.From(overdue, Next()), state.NoteOverdue(Entry, overdue)!);

        return new Recorded(commits.SelectMany(c => c.Events).ToList(), state, commits.SelectMany(c => c.Outbox).ToList(), commits);
    }
}
