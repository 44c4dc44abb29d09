using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Milestones.Domain.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Milestones.Worker.Operations;

public class OutboxListSettings : CommandSettings
{
    [CommandOption("--json")]
    [Description("Print the result as JSON on standard output.")]
    public bool Json { get; init; }

    [CommandOption("--stuck-after <DURATION>")]
    [Description("An entry pending longer than this is stuck (default Ops:StuckAfter, 00:05:00).")]
    public TimeSpan? StuckAfter { get; init; }
}

public sealed class OutboxRedriveSettings : OutboxListSettings
{
    [CommandOption("--message-id <ID>")]
    [Description("Only this entry (repeat for several).")]
    public Guid[] MessageIds { get; init; } = [];

    [CommandOption("--project <PROJECT>")]
    [Description("Only the entries of this project.")]
    public string? Project { get; init; }

    [CommandOption("--all")]
    [Description("Every pending entry, not only the stuck ones.")]
    public bool All { get; init; }

    [CommandOption("--force")]
    [Description("Also release leases that have not run out: only when their dispatcher is known to be gone, since it may be publishing them now.")]
    public bool Force { get; init; }

    [CommandOption("--dry-run")]
    [Description("Say what would be released, and release nothing.")]
    public bool DryRun { get; init; }
}

/// <summary>
/// <c>outbox list</c> and <c>outbox redrive</c>. An entry is stuck when its lease ran out (its dispatcher died while
/// publishing it) or it has been pending longer than the threshold (no dispatcher runs, or every publish fails, e.g. no
/// queue is bound to the output exchange). Redriving releases leases only, each exactly as it was listed, so the next
/// dispatcher pass claims and publishes the entry with its deterministic message id; the command itself publishes
/// nothing, and a lease still running is left alone unless forced, so an entry is not published by two dispatchers.
/// </summary>
public sealed class OutboxCommands(OpsContext context)
{
    public async Task<int> List(OutboxListSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var entries = await Read(settings, cancellationToken);
        Print(settings.Json, entries, action: null);
        return 0;
    }

    public async Task<int> Redrive(OutboxRedriveSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var entries = await Read(settings, cancellationToken);
        var selected = entries.Where(e =>
            (settings.MessageIds.Length > 0 || settings.Project is not null || settings.All || e.Stuck)
            && (settings.MessageIds.Length == 0 || settings.MessageIds.Contains(e.Entry.MessageId))
            && (settings.Project is null || string.Equals(e.Entry.ProjectId, settings.Project, StringComparison.Ordinal))).ToList();
        var actions = new Dictionary<Guid, string>();
        foreach (var e in selected)
        {
            if (e.Entry.LeaseOwner is null)
            {
                actions[e.Entry.MessageId] = "not leased: the next dispatcher pass claims it";
            }
            else if (!e.LeaseExpired && !settings.Force)
            {
                actions[e.Entry.MessageId] = "lease still running: left alone (--force releases it)";
            }
            else if (settings.DryRun)
            {
                actions[e.Entry.MessageId] = "would release the lease";
            }
            else
            {
                actions[e.Entry.MessageId] = await context.Maintenance.ReleaseLease(e.Entry, cancellationToken)
                    ? "lease released"
                    : "lease changed since it was listed (claimed again or sent): left alone";
            }
        }
        Print(settings.Json, selected, actions);
        return 0;
    }

    async Task<List<Listed>> Read(OutboxListSettings settings, CancellationToken cancellationToken)
    {
        var stuckAfter = settings.StuckAfter ?? context.Ops.StuckAfter;
        var pending = await context.Maintenance.ListPendingOutbox(cancellationToken);
        var now = context.Time.GetUtcNow();
        return pending.Select(e =>
        {
            var expired = e.LeaseUntil is { } until && until < now;
            return new Listed(e, now - e.EnqueuedAt, expired, expired || now - e.EnqueuedAt > stuckAfter);
        }).ToList();
    }

    void Print(bool json, List<Listed> entries, Dictionary<Guid, string>? action)
    {
        if (json)
        {
            context.Stdout.WriteLine(JsonSerializer.Serialize(new
            {
                entries = entries.Select(e => new
                {
                    messageId = e.Entry.MessageId,
                    projectId = e.Entry.ProjectId,
                    kind = e.Entry.Kind,
                    number = e.Entry.Number,
                    enqueuedAt = e.Entry.EnqueuedAt,
                    ageSeconds = Math.Round(e.Age.TotalSeconds, 1),
                    leaseOwner = e.Entry.LeaseOwner,
                    leaseUntil = e.Entry.LeaseUntil,
                    leaseExpired = e.LeaseExpired,
                    stuck = e.Stuck,
                    action = action?.GetValueOrDefault(e.Entry.MessageId),
                }),
            }, OpsCommandLine.Json));
            return;
        }
        var table = new Table().Title($"outbox: {entries.Count} pending entr{(entries.Count == 1 ? "y" : "ies")}");
        table.AddColumns("message id", "project", "kind", "enqueued", "age", "lease", "stuck");
        if (action is not null)
        {
            table.AddColumn("action");
        }
        foreach (var e in entries)
        {
            var lease = e.Entry.LeaseOwner is null ? "-"
                : $"{e.Entry.LeaseOwner} until {e.Entry.LeaseUntil?.ToString("u", CultureInfo.InvariantCulture)}{(e.LeaseExpired ? " (expired)" : string.Empty)}";
            var cells = new List<string>
            {
                e.Entry.MessageId.ToString(), e.Entry.ProjectId, $"{e.Entry.Kind} #{e.Entry.Number}",
                e.Entry.EnqueuedAt.ToString("u", CultureInfo.InvariantCulture), e.Age.ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture), lease, e.Stuck ? "yes" : "",
            };
            if (action is not null)
            {
                cells.Add(action.GetValueOrDefault(e.Entry.MessageId) ?? string.Empty);
            }
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        context.Output.Write(table);
    }

    sealed record Listed(PendingOutboxEntry Entry, TimeSpan Age, bool LeaseExpired, bool Stuck);
}
