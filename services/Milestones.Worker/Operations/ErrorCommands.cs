using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Milestones.Worker.Operations;

public class ErrorsListSettings : CommandSettings
{
    [CommandOption("--json")]
    [Description("Print the result as JSON on standard output (progress stays on standard error).")]
    public bool Json { get; init; }

    [CommandOption("--queue <QUEUE>")]
    [Description("Only this sink queue (repeat for several); default: all of them.")]
    public string[] Queues { get; init; } = [];
}

public sealed class ErrorsRedriveSettings : ErrorsListSettings
{
    [CommandOption("--reason <REASON>")]
    [Description("Only messages set aside for this reason (Milestones-Rejection-Reason, e.g. unknown-milestone).")]
    public string? Reason { get; init; }

    [CommandOption("--project <PROJECT>")]
    [Description("Only messages about this project.")]
    public string? Project { get; init; }

    [CommandOption("--event-id <ID>")]
    [Description("Only the message(s) of this event id (repeat for several).")]
    public Guid[] EventIds { get; init; } = [];

    [CommandOption("--all")]
    [Description("Every message of the selected queues.")]
    public bool All { get; init; }

    [CommandOption("--dry-run")]
    [Description("List what would be sent back, and send nothing.")]
    public bool DryRun { get; init; }

    public override ValidationResult Validate() =>
        All || Reason is not null || Project is not null || EventIds.Length > 0
            ? ValidationResult.Success()
            : ValidationResult.Error("Say which messages to redrive: --reason, --project, --event-id or --all.");

    public bool Selects(SinkMessage message) =>
        All
        || ((Reason is null || string.Equals(message.Reason, Reason, StringComparison.Ordinal))
            && (Project is null || string.Equals(message.ProjectId, Project, StringComparison.Ordinal))
            && (EventIds.Length == 0 || (message.EventId is { } id && EventIds.Contains(id))));
}

/// <summary><c>errors list</c> and <c>errors redrive</c>: sweeps of the sink queues (<see cref="SinkQueueSweep"/>).</summary>
public sealed class ErrorCommands(OpsContext context)
{
    public async Task<int> List(ErrorsListSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var results = await Sweep(settings, _ => null, cancellationToken);
        Report(settings.Json, results, moved: false, dryRun: false);
        return 0;
    }

    public async Task<int> Redrive(ErrorsRedriveSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var messaging = context.Messaging;
        var queues = SelectedQueues(settings).ToDictionary(q => q.Name, StringComparer.Ordinal);
        // A dry run is a listing that marks what a redrive would move; nothing leaves the queue.
        var selected = new List<SinkMessage>();
        var results = await Sweep(settings, message =>
        {
            if (!settings.Selects(message))
            {
                return null;
            }
            selected.Add(message);
            return settings.DryRun ? null : queues[message.Queue].InputExchangeOf(message, messaging);
        }, cancellationToken);
        if (settings.DryRun)
        {
            results = results.Select(r => r with { Moved = selected.Where(m => m.Queue == r.Queue.Name).ToList() }).ToList();
        }
        Report(settings.Json, results, moved: true, dryRun: settings.DryRun);
        return 0;
    }

    IEnumerable<Sink> SelectedQueues(ErrorsListSettings settings)
    {
        var all = Sink.All(context.Messaging);
        var unknown = settings.Queues.Except(all.Select(q => q.Name), StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new OpsException($"no sink queue named {string.Join(", ", unknown)}; they are: {string.Join(", ", all.Select(q => q.Name))}");
        }
        return settings.Queues.Length == 0 ? all : all.Where(q => settings.Queues.Contains(q.Name, StringComparer.Ordinal));
    }

    async Task<List<SweepResult>> Sweep(ErrorsListSettings settings, Func<SinkMessage, string?> destination, CancellationToken cancellationToken)
    {
        var queues = SelectedQueues(settings).ToList();
        await using var connection = await context.ConnectToBroker(cancellationToken);
        var sweep = new SinkQueueSweep(connection, context.BrokerUser, context.Ops.DeliveryTimeout);
        var results = new List<SweepResult>();
        await context.Progress.Progress().AutoClear(true).StartAsync(async progress =>
        {
            foreach (var queue in queues)
            {
                var task = progress.AddTask(queue.Name, maxValue: 1);
                results.Add(await sweep.Sweep(queue, destination, (done, total) =>
                {
                    task.MaxValue = total;
                    task.Value = done;
                }, cancellationToken));
                task.Value = task.MaxValue;
            }
        });
        foreach (var more in results.Where(r => r.More))
        {
            context.Progress.MarkupLineInterpolated($"[yellow]{more.Queue.Name} holds more than {SinkQueueSweep.MaxMessages} messages: run again for the rest.[/]");
        }
        return results;
    }

    void Report(bool json, IReadOnlyList<SweepResult> results, bool moved, bool dryRun)
    {
        if (json)
        {
            var queues = results.Select(r => new
                {
                    queue = r.Queue.Name,
                    exists = r.Exists,
                    count = r.Messages.Count,
                    more = r.More,
                    messages = r.Messages.Select(m => Describe(m, moved ? r.Moved.Contains(m) : null)),
                });
            context.Stdout.WriteLine(moved
                ? JsonSerializer.Serialize(new { dryRun, queues }, OpsCommandLine.Json)
                : JsonSerializer.Serialize(new { queues }, OpsCommandLine.Json));
            return;
        }
        foreach (var result in results.Where(r => r.Exists))
        {
            var table = new Table().Title($"{result.Queue.Name}: {result.Messages.Count} message(s)");
            table.AddColumns("#", "event id", "project", "reason", "when", "attempts", "publisher");
            if (moved)
            {
                table.AddColumn(dryRun ? "would redrive" : "redriven");
            }
            foreach (var m in result.Messages)
            {
                var cells = new List<string>
                {
                    m.Position.ToString(CultureInfo.InvariantCulture), m.EventId?.ToString() ?? "-", m.ProjectId ?? "-", m.Reason,
                    m.At?.ToString("u", CultureInfo.InvariantCulture) ?? "-", m.Attempts.ToString(CultureInfo.InvariantCulture), m.Publisher ?? "-",
                };
                if (moved)
                {
                    cells.Add(result.Moved.Contains(m) ? "yes" : "");
                }
                table.AddRow(cells.Select(Markup.Escape).ToArray());
            }
            context.Output.Write(table);
        }
        var total = results.Sum(r => r.Messages.Count);
        var movedCount = results.Sum(r => r.Moved.Count);
        context.Output.WriteLine(moved
            ? $"{movedCount} of {total} message(s) {(dryRun ? "would be sent back" : "sent back")} to their input exchange; the others stay, in order."
            : $"{total} message(s) in {results.Count(r => r.Exists)} sink queue(s).");
    }

    static object Describe(SinkMessage m, bool? moved) => new
    {
        position = m.Position,
        eventId = m.EventId,
        projectId = m.ProjectId,
        reason = m.Reason,
        detail = m.Detail,
        at = m.At,
        attempts = m.Attempts,
        publisher = m.Publisher,
        messageId = m.MessageId,
        deadLetteredFrom = m.DeadLetteredFrom,
        redrive = moved,
    };
}
