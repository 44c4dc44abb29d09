using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Domain.Validation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Milestones.Worker.Operations;

public sealed class RebuildSettings : CommandSettings
{
    [CommandOption("--project <PROJECT>")]
    [Description("Only this project (repeat for several); default: every project with events or a state row.")]
    public string[] Projects { get; init; } = [];

    [CommandOption("--repair")]
    [Description("Write the recomputed state of each project that differs (version-checked; no outbox entry is ever written).")]
    public bool Repair { get; init; }

    [CommandOption("--json")]
    [Description("Print the result as JSON on standard output.")]
    public bool Json { get; init; }
}

/// <summary>
/// <c>rebuild</c>: recomputes each project's state from its stored events (<see cref="ProjectReplay"/>) and compares it
/// with the stored state; <c>--repair</c> writes the recomputed state under the version check, so that a worker that
/// wrote the project meanwhile wins and the project is reported as changed. A repair writes state only: a completion or
/// reopening the events imply but that was never enqueued is reported, never sent, so nothing is published twice.
/// </summary>
public sealed class RebuildCommand(OpsContext context)
{
    public async Task<int> Run(RebuildSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var maintenance = context.Maintenance;
        var validator = context.Services.GetRequiredService<MilestoneValidator>();
        var stored = (await context.Projects.ListProjects(cancellationToken)).ToDictionary(s => s.State.ProjectId, StringComparer.Ordinal);
        var withEvents = await maintenance.ListProjectsWithEvents(cancellationToken);
        var ids = withEvents.Concat(stored.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (settings.Projects.Length > 0)
        {
            ids = settings.Projects.Distinct(StringComparer.Ordinal).ToList();
        }

        var reports = new List<ProjectReport>();
        await context.Progress.Progress().AutoClear(true).StartAsync(async progress =>
        {
            var task = progress.AddTask("rebuilding projects", maxValue: Math.Max(1, ids.Count));
            foreach (var id in ids)
            {
                reports.Add(await Rebuild(id, stored.GetValueOrDefault(id), settings.Repair, maintenance, validator, cancellationToken));
                task.Increment(1);
            }
        });
        Print(settings, reports);
        return 0;
    }

    async Task<ProjectReport> Rebuild(string id, ProjectSnapshot? snapshot, bool repair, IStoreMaintenance maintenance, MilestoneValidator validator,
        CancellationToken cancellationToken)
    {
        // The catalog file's entry is where the history starts; each registration recorded in the history replaces it
        // from there on, as it did when it was recorded. A project only registrations define starts with none.
        var seeded = context.Catalog.SeededEntry(id);
        var events = await maintenance.ReadEventsInRecordedOrder(id, cancellationToken);
        if (seeded is null && !events.Any(e => e.Kind == EventKind.Registration))
        {
            return new ProjectReport(id, Status.NotInCatalog, 0,
                ["neither the catalog file nor a recorded registration has such a project: its plan is unknown, nothing was recomputed"], []);
        }
        var rule = seeded is null ? NoRule : CompletionRule.Of(seeded);
        var replay = ProjectReplay.Replay(id, rule, seeded, events, validator.IsDistrictOffice);
        var differences = Differences(snapshot?.State, replay.State, events.Count);
        var unannounced = Unannounced(snapshot?.State, replay, await maintenance.ReadEnqueuedMessageIds(id, cancellationToken));
        if (differences.Count == 0)
        {
            return new ProjectReport(id, Status.Same, events.Count, [], unannounced);
        }
        if (!repair)
        {
            return new ProjectReport(id, Status.Differs, events.Count, differences, unannounced);
        }
        var written = await maintenance.ReplaceState(replay.State, snapshot?.Version ?? 0, cancellationToken);
        return new ProjectReport(id, written ? Status.Repaired : Status.ChangedMeanwhile, events.Count, differences, unannounced);
    }

    /// <summary>The rule before the first registration of a project the catalog file does not have: none is in force, so nothing applies before it.</summary>
    static readonly CompletionRule NoRule = new(new MilestonePlan([], []), []);

    /// <summary>Every way the stored state differs from the recomputed one (<see cref="ProjectState.Equals(ProjectState?)"/>), in words.</summary>
    static List<string> Differences(ProjectState? stored, ProjectState expected, int eventCount)
    {
        var differences = new List<string>();
        if (stored is null)
        {
            if (eventCount > 0)
            {
                differences.Add($"no state row, but {eventCount} recorded event(s)");
            }
            return differences;
        }
        foreach (var code in stored.Reached.Keys.Union(expected.Reached.Keys).Order(StringComparer.Ordinal))
        {
            var has = stored.Reached.GetValueOrDefault(code);
            var should = expected.Reached.GetValueOrDefault(code);
            if (has != should)
            {
                differences.Add($"reached '{code}': stored {Describe(has)}, events give {Describe(should)}");
            }
        }
        foreach (var retracted in stored.Retractions.Keys.Union(expected.Retractions.Keys))
        {
            var has = stored.Retractions.GetValueOrDefault(retracted);
            var should = expected.Retractions.GetValueOrDefault(retracted);
            if (has != should)
            {
                differences.Add($"retraction of {retracted}: stored {(has is null ? "none" : $"by {has.RetractedBy}")}, events give {(should is null ? "none" : $"by {should.RetractedBy}")}");
            }
        }
        foreach (var metric in stored.Progress.Keys.Union(expected.Progress.Keys).Order(StringComparer.Ordinal))
        {
            var has = stored.Progress.GetValueOrDefault(metric);
            var should = expected.Progress.GetValueOrDefault(metric);
            if (has != should)
            {
                differences.Add($"progress '{metric}': stored {Describe(has)}, events give {Describe(should)}");
            }
        }
        foreach (var metric in stored.TargetsMet.Keys.Union(expected.TargetsMet.Keys).Order(StringComparer.Ordinal))
        {
            var has = stored.TargetsMet.GetValueOrDefault(metric);
            var should = expected.TargetsMet.GetValueOrDefault(metric);
            if (has != should)
            {
                differences.Add($"target '{metric}': stored {Describe(has)}, events give {Describe(should)}");
            }
        }
        if ((stored.Registration?.EventId, stored.Registration?.Revision) != (expected.Registration?.EventId, expected.Registration?.Revision))
        {
            differences.Add($"registration: stored {Describe(stored.Registration)}, events give {Describe(expected.Registration)}");
        }
        if (!stored.OverdueNoticed.SetEquals(expected.OverdueNoticed))
        {
            differences.Add($"overdue milestones announced: stored [{string.Join(", ", stored.OverdueNoticed)}], events give [{string.Join(", ", expected.OverdueNoticed)}]");
        }
        if (stored.IsComplete != expected.IsComplete)
        {
            differences.Add($"complete: stored {stored.IsComplete}, events give {expected.IsComplete}");
        }
        if (stored.CompletionCount != expected.CompletionCount)
        {
            differences.Add($"completions: stored {stored.CompletionCount}, events give {expected.CompletionCount}");
        }
        if (stored.ReopenCount != expected.ReopenCount)
        {
            differences.Add($"reopenings: stored {stored.ReopenCount}, events give {expected.ReopenCount}");
        }
        if (differences.Count == 0 && !stored.Equals(expected))
        {
            differences.Add("the stored state is not what the events give");
        }
        return differences;
    }

    /// <summary>
    /// Completions and reopenings the events decide that were never enqueued: not in the outbox, sent or pending, where the
    /// store keeps sent entries (SQLite); where it does not (MongoDB), those beyond the stored counts, since the recorder
    /// enqueued one with each count it wrote. They are reported for a person to decide on, never sent.
    /// </summary>
    static List<string> Unannounced(ProjectState? stored, ReplayResult replay, IReadOnlySet<Guid>? enqueued)
    {
        var completions = stored?.CompletionCount ?? 0;
        var reopenings = stored?.ReopenCount ?? 0;
        return replay.Announcements
            .Where(a => enqueued is not null
                ? !enqueued.Contains(a.MessageId)
                : a is ProjectCompletion c ? c.CompletionNumber > completions : a is ProjectReopening r && r.ReopenNumber > reopenings)
            .Select(a => a switch
            {
                ProjectCompletion c => $"completion #{c.CompletionNumber} (message id {c.MessageId}) was never enqueued",
                ProjectReopening r => $"reopening #{r.ReopenNumber} (message id {r.MessageId}) was never enqueued",
                TargetAchievement t => $"target '{t.Metric}' met #{t.Number} (message id {t.MessageId}) was never enqueued",
                OverdueNotice o => $"'{o.MilestoneCode}' overdue since {o.Due:yyyy-MM-dd} (message id {o.MessageId}) was never enqueued",
                _ => a.ToString(),
            })
            .ToList();
    }

    static string Describe(ReachedMilestone? m) =>
        m is null ? "not reached" : $"{m.OccurredAt.ToString("u", CultureInfo.InvariantCulture)} by event {m.EventId}";

    static string Describe(ProgressReading? r) =>
        r is null ? "no value" : $"{r.Value.ToString(CultureInfo.InvariantCulture)} {r.Unit} at {r.OccurredAt.ToString("u", CultureInfo.InvariantCulture)} by event {r.EventId}";

    static string Describe(TargetRecord? t) =>
        t is null ? "never met" : $"met {t.TimesMet} time(s), {(t.IsMet ? "met now" : "not met now")}";

    static string Describe(ProjectRegistration? r) =>
        r is null ? "none" : $"revision {r.Revision} by event {r.EventId}";

    void Print(RebuildSettings settings, List<ProjectReport> reports)
    {
        if (settings.Json)
        {
            context.Stdout.WriteLine(JsonSerializer.Serialize(new
            {
                repair = settings.Repair,
                projects = reports.Select(r => new { projectId = r.ProjectId, status = r.StatusText, events = r.Events, differences = r.Differences, unannounced = r.Unannounced }),
            }, OpsCommandLine.Json));
            return;
        }
        var table = new Table().Title($"rebuild{(settings.Repair ? " --repair" : string.Empty)}: {reports.Count} project(s)");
        table.AddColumns("project", "events", "status", "differences", "never announced");
        foreach (var r in reports)
        {
            table.AddRow(Markup.Escape(r.ProjectId), r.Events.ToString(CultureInfo.InvariantCulture), r.StatusText,
                Markup.Escape(string.Join("\n", r.Differences)), Markup.Escape(string.Join("\n", r.Unannounced)));
        }
        context.Output.Write(table);
        var differing = reports.Count(r => r.Status != Status.Same);
        context.Output.WriteLine(differing == 0
            ? "Every stored state is what its events give."
            : $"{differing} project(s) differ: {string.Join(", ", reports.Where(r => r.Status != Status.Same).Select(r => $"{r.ProjectId} ({r.StatusText})"))}.");
    }

    enum Status
    {
        Same,
        Differs,
        Repaired,
        ChangedMeanwhile,
        NotInCatalog,
    }

    sealed record ProjectReport(string ProjectId, Status Status, int Events, IReadOnlyList<string> Differences, IReadOnlyList<string> Unannounced)
    {
        public string StatusText => Status switch
        {
            Status.Same => "same",
            Status.Differs => "differs",
            Status.Repaired => "repaired",
            Status.ChangedMeanwhile => "changed meanwhile, not repaired",
            _ => "not in catalog",
        };
    }
}
