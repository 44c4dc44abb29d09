using Milestones.Contracts.Testing;

namespace Milestones.Contracts.Tests;

/// <summary>
/// One case of the corpus: a message the service should accept (<paramref name="Code"/> null) or refuse with
/// <paramref name="Code"/>, and <paramref name="Good"/>, the same message without the one change that makes it bad
/// (for a good case, the message itself). <paramref name="Sender"/> is the broker user that publishes it.
/// </summary>
public sealed record CorpusCase(string Name, object Good, object Message, string? Code, string Sender)
{
    public override string ToString() => Name;
}

/// <summary>
/// Good and bad inbound messages, each bad one made from a good one with one builder call, checked against the
/// checked-in catalog at <see cref="Now"/>. The contracts' tests run it through the kit; the worker's tests run the same
/// file through the service's validator and compare (compiled into both, so there is one corpus).
/// </summary>
public static class MessageCorpus
{
    /// <summary>The clock of every case.</summary>
    public static readonly DateTimeOffset Now = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

    static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    public static IReadOnlyList<CorpusCase> All { get; } = [.. Reached(), .. Retracted(), .. Progress(), .. Registered()];

    static IEnumerable<CorpusCase> Reached()
    {
        CorpusCase Case(string name, string? code, Func<MilestoneReachedBuilder, MilestoneReachedBuilder> change,
            Func<MilestoneReachedBuilder, MilestoneReachedBuilder>? start = null, string sender = "lize-pmo")
        {
            var id = Id(name);
            MilestoneReachedBuilder Start() => (start ?? (b => b))(new MilestoneReachedBuilder().WithEventId(id));
            return new($"reached: {name}", Start().Build(), change(Start()).Build(), code, sender);
        }

        yield return Case("the README's example", null, b => b);
        yield return Case("without sourceSystem (taken from user_id)", null, b => b.WithSourceSystem(null));
        yield return Case("without note and link", null, b => b.WithNote(null).WithEvidenceUrl(null));
        yield return Case("dated within the clock skew", null, b => b.At(Now.AddMinutes(4), TimeSpan.Zero));
        yield return Case("on the day the project began", null, b => b.At(new DateTimeOffset(2015, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        yield return Case("a note at the limit", null, b => b.WithNote(new string('注', 2_000)));
        yield return Case("a completing milestone of the metro line", null, b => b, b => b.WithProjectId("subway-16-south").WithMilestoneCode("opened").WithSourceSystem("metro-operator"), "metro-operator");
        yield return Case("empty event id", "missing-field", b => b.WithEventId(Guid.Empty));
        yield return Case("no project", "missing-field", b => b.WithProjectId(null));
        yield return Case("blank project", "missing-field", b => b.WithProjectId("  "));
        yield return Case("no milestone code", "missing-field", b => b.WithMilestoneCode(null));
        yield return Case("no occurredAt", "missing-field", b => b.WithOccurredAt(default));
        yield return Case("no reportedAt", "missing-field", b => b.WithReportedAt(default));
        yield return Case("unknown project", "unknown-project", b => b.WithProjectId("lize-city-terminal-2"));
        yield return Case("unknown project with a long id", "unknown-project", b => b.WithProjectId(new string('x', 300)));
        yield return Case("unknown code", "unknown-milestone", b => b.WithMilestoneCode("finished"));
        yield return Case("code in another case", "unknown-milestone", b => b.WithMilestoneCode("Opened"));
        yield return Case("code not in the plan", "milestone-not-in-plan", b => b.WithMilestoneCode("land-prepared"));
        yield return Case("occurred tomorrow", "timestamp-in-future", b => b.At(Now.AddDays(1)));
        yield return Case("reported in ten minutes", "timestamp-in-future", b => b.WithReportedAt(Now.AddMinutes(10)));
        yield return Case("before the project existed (UTC+8 midnight is still the day before in UTC)", "before-project-existed",
            b => b.At(new DateTimeOffset(2015, 1, 1, 7, 0, 0, Cst)));
        yield return Case("reported before it occurred", "reported-before-occurred",
            b => b.WithReportedAt(new DateTimeOffset(2023, 9, 30, 9, 59, 0, Cst)));
        yield return Case("a note over the limit", "too-large", b => b.WithNote(new string('注', 2_001)));
        yield return Case("a link over the limit", "too-large", b => b.WithEvidenceUrl("https://example.org/" + new string('a', 2_029)));
        yield return Case("an ftp link", "invalid-field", b => b.WithEvidenceUrl("ftp://example.org/notice"));
        yield return Case("a relative link", "invalid-field", b => b.WithEvidenceUrl("/notices/123"));
        yield return Case("not a link", "invalid-field", b => b.WithEvidenceUrl("见公告"));
    }

    static IEnumerable<CorpusCase> Retracted()
    {
        CorpusCase Case(string name, string? code, Func<MilestoneRetractedBuilder, MilestoneRetractedBuilder> change)
        {
            var id = Id(name);
            MilestoneRetractedBuilder Start() => new MilestoneRetractedBuilder().WithEventId(id).WithRetractedEventId(Id("retracted " + name));
            return new($"retracted: {name}", Start().Build(), change(Start()).Build(), code, "lize-pmo");
        }

        yield return Case("a retraction", null, b => b);
        yield return Case("without sourceSystem", null, b => b.WithSourceSystem(null));
        yield return Case("a reason at the limit", null, b => b.WithReason(new string('误', 2_000)));
        yield return Case("empty event id", "missing-field", b => b.WithEventId(Guid.Empty));
        yield return Case("no project", "missing-field", b => b.WithProjectId(null));
        yield return Case("empty retracted id", "missing-field", b => b.WithRetractedEventId(Guid.Empty));
        yield return Case("no reason", "missing-field", b => b.WithReason(null));
        yield return Case("blank reason", "missing-field", b => b.WithReason(" "));
        yield return Case("no retractedAt", "missing-field", b => b.WithRetractedAt(default));
        yield return Case("unknown project", "unknown-project", b => b.WithProjectId("no-such-project"));
        yield return Case("retracted tomorrow", "timestamp-in-future", b => b.WithRetractedAt(Now.AddDays(1)));
        yield return Case("a reason over the limit", "too-large", b => b.WithReason(new string('误', 2_001)));
    }

    static IEnumerable<CorpusCase> Progress()
    {
        CorpusCase Case(string name, string? code, Func<ProgressReportedBuilder, ProgressReportedBuilder> change,
            Func<ProgressReportedBuilder, ProgressReportedBuilder>? start = null, string sender = "south-axis-pmo")
        {
            var id = Id(name);
            ProgressReportedBuilder Start() => (start ?? (b => b))(new ProgressReportedBuilder().WithEventId(id));
            return new($"progress: {name}", Start().Build(), change(Start()).Build(), code, sender);
        }

        yield return Case("2 037 mu", null, b => b);
        yield return Case("1 600 mu, below the target", null, b => b.WithValue(1_600m));
        yield return Case("zero", null, b => b.WithValue(0m));
        yield return Case("without reportedAt", null, b => b.WithReportedAt(null));
        yield return Case("a district programme", null, b => b,
            b => b.WithProjectId("high-standard-farmland-2023").WithMetric("farmland-area").WithUnit("mu").WithValue(300m).WithSourceSystem("fengtai-pmo"), "fengtai-pmo");
        yield return Case("empty event id", "missing-field", b => b.WithEventId(Guid.Empty));
        yield return Case("no project", "missing-field", b => b.WithProjectId(""));
        yield return Case("no metric", "missing-field", b => b.WithMetric(null));
        yield return Case("no unit", "missing-field", b => b.WithUnit(null));
        yield return Case("no occurredAt", "missing-field", b => b.WithOccurredAt(default).WithReportedAt(null));
        yield return Case("a reportedAt of zero", "missing-field", b => b.WithReportedAt(default(DateTimeOffset)));
        yield return Case("unknown project", "unknown-project", b => b.WithProjectId("nanyuan-park"));
        yield return Case("unknown metric", "unknown-metric", b => b.WithMetric("visitors"));
        yield return Case("a metric of a project without targets", "unknown-metric", b => b.WithProjectId("lize-city-terminal"),
            b => b.WithSourceSystem("fengtai-pmo"), "fengtai-pmo");
        yield return Case("hectares, not mu", "unit-mismatch", b => b.WithUnit("hectare"));
        yield return Case("a negative value", "invalid-field", b => b.WithValue(-1m));
        yield return Case("measured tomorrow", "timestamp-in-future", b => b.WithOccurredAt(Now.AddDays(1)).WithReportedAt(null));
        yield return Case("reported tomorrow", "timestamp-in-future", b => b.WithReportedAt(Now.AddDays(1)));
        yield return Case("before the park existed", "before-project-existed",
            b => b.WithOccurredAt(new DateTimeOffset(2014, 6, 1, 0, 0, 0, Cst)).WithReportedAt(null));
        yield return Case("reported before measured", "reported-before-occurred",
            b => b.WithReportedAt(new DateTimeOffset(2023, 11, 30, 16, 0, 0, Cst)));
        yield return Case("a note over the limit", "too-large", b => b.WithNote(new string('注', 2_001)));
    }

    static IEnumerable<CorpusCase> Registered()
    {
        CorpusCase Case(string name, string? code, Func<ProjectRegisteredBuilder, ProjectRegisteredBuilder> change)
        {
            var id = Id(name);
            ProjectRegisteredBuilder Start() => new ProjectRegisteredBuilder().WithEventId(id);
            return new($"registered: {name}", Start().Build(), change(Start()).Build(), code, "fengtai-pmo");
        }

        static Func<ProjectRegisteredBuilder, ProjectRegisteredBuilder> Entry(Action<CatalogEntryBuilder> configure) => b => b.WithProject(configure);

        yield return Case("a new park", null, b => b);
        yield return Case("revision 7", null, b => b.WithRevision(7));
        yield return Case("a district programme with only a target", null,
            Entry(e => e.WithId("tree-planting-2024").WithPlan([], []).WithoutSchedule().WithTarget("trees", "trees", 10_000m)));
        yield return Case("a reporter of the catalog", null, Entry(e => e.WithReporters("lize-pmo")));
        yield return Case("empty event id", "missing-field", b => b.WithEventId(Guid.Empty));
        yield return Case("no entry", "missing-field", b => b.WithProject((CatalogEntry?)null));
        yield return Case("an entry without id", "missing-field", Entry(e => e.WithId(null)));
        yield return Case("no registeredAt", "missing-field", b => b.WithRegisteredAt(default));
        yield return Case("registered tomorrow", "timestamp-in-future", b => b.WithRegisteredAt(Now.AddDays(1)));
        yield return Case("an id that is not a slug", "invalid-entry", Entry(e => e.WithId("Example Park")));
        yield return Case("an id over 64 characters", "invalid-entry", Entry(e => e.WithId(new string('a', 65))));
        yield return Case("no English name", "invalid-entry", Entry(e => e.WithNames("示例公园", null)));
        yield return Case("no area", "invalid-entry", Entry(e => e.WithArea(" ")));
        yield return Case("no plan", "invalid-entry", Entry(e => e.WithoutPlan()));
        yield return Case("an empty plan", "invalid-entry", Entry(e => e.WithPlan([], []).WithoutSchedule()));
        yield return Case("a plan that requires nothing", "invalid-entry", Entry(e => e.WithPlan(["construction-started", "opened"], [])));
        yield return Case("an unknown code in the plan", "invalid-entry", Entry(e => e.WithPlan(["construction-started", "finished", "opened"], ["opened"])));
        yield return Case("a code twice", "invalid-entry", Entry(e => e.WithPlan(["opened", "opened"], ["opened"])));
        yield return Case("a required code outside the plan", "invalid-entry", Entry(e => e.WithPlan(["construction-started", "opened"], ["completed"])));
        yield return Case("a target without unit", "invalid-entry", Entry(e => e.WithTarget("area", "", 10m)));
        yield return Case("a target of zero", "invalid-entry", Entry(e => e.WithTarget("area", "mu", 0m)));
        yield return Case("two targets of one metric", "invalid-entry", Entry(e => e.WithTarget("area", "mu", 10m).WithTarget("area", "mu", 20m)));
        yield return Case("a due date outside the plan", "invalid-entry", Entry(e => e.WithDue("topped-out", new DateOnly(2024, 6, 30))));
        yield return Case("a milestone due twice", "invalid-entry", Entry(e => e.WithDue("opened", new DateOnly(2025, 6, 30))));
        yield return Case("revision 0", "invalid-entry", b => b.WithRevision(0));
        yield return Case("a reporter the catalog does not know", "invalid-entry", Entry(e => e.WithReporters("nobody")));
        yield return Case("many problems at once", "invalid-entry",
            b => b.WithRevision(-1).WithProject(e => e.WithId("X").WithNames(null, null).WithPlan(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"], ["z"]).WithReporters("p", "q", "r")));
        yield return Case("a note over the limit", "too-large", b => b.WithNote(new string('注', 2_001)));
    }

    /// <summary>A stable event id per case, so that a failure names the same message every run.</summary>
    static Guid Id(string name)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name));
        return new Guid(hash.AsSpan(0, 16));
    }
}
