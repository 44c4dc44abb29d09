using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Milestones.Worker.Operations;

/// <summary>
/// The worker's ops subcommands: <c>errors list|redrive</c>, <c>rebuild</c>, <c>outbox list|redrive</c>. They run
/// from the worker's own executable and image with the worker's configuration (appsettings, environment, mounted
/// secrets), do their one job and exit; without a subcommand the executable runs the worker. Results go to standard
/// output (a table, or JSON with <c>--json</c>), progress and diagnostics to standard error.
/// </summary>
public static class OpsCommandLine
{
    /// <summary>The first words that select a subcommand instead of the worker.</summary>
    public static readonly IReadOnlySet<string> Commands = new HashSet<string>(StringComparer.Ordinal) { "errors", "rebuild", "outbox", "ops" };

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Read by scripts and people, never embedded in HTML: quotes and CJK text as they are.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>True when <paramref name="args"/> names a subcommand (so Program.cs runs it instead of the worker).</summary>
    public static bool IsCommand(string[] args) => args is [var first, ..] && Commands.Contains(first);

    /// <summary>Runs a subcommand from the process's own arguments, writing to the process's stdout and stderr.</summary>
    public static Task<int> Run(string[] args) => Run(args, Console.Out, Console.Error, settings: null, CancellationToken.None);

    /// <summary>
    /// Runs a subcommand: <paramref name="settings"/> are added over the worker's configuration (tests give a broker and
    /// a store this way); returns the exit status: 0 done, 1 failed (the reason on stderr), other non-zero values for a
    /// command line that does not parse.
    /// </summary>
    public static async Task<int> Run(string[] args, TextWriter stdout, TextWriter stderr,
        IEnumerable<KeyValuePair<string, string?>>? settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var outConsole = ConsoleOn(stdout);
        var errConsole = ConsoleOn(stderr);
        await using var context = new OpsContext(stdout, outConsole, errConsole, settings);
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("Milestones.Worker");
            config.Settings.Console = errConsole;
            config.Settings.PropagateExceptions = true;
            config.AddBranch("errors", errors =>
            {
                errors.SetDescription("The messages the worker set aside: its error, skipped, quarantine-error and dead-letter queues.");
                errors.AddAsyncDelegate<ErrorsListSettings>("list", (_, s, token) => new ErrorCommands(context).List(s, token))
                    .WithDescription("Lists every message of the sink queues (event id, project, reason, when, attempts), per queue; none is lost or reordered.")
                    .WithExample("errors", "list", "--json");
                errors.AddAsyncDelegate<ErrorsRedriveSettings>("redrive", (_, s, token) => new ErrorCommands(context).Redrive(s, token))
                    .WithDescription("Sends selected messages back to the input exchange they came from, each once; the others stay, in order.")
                    .WithExample("errors", "redrive", "--reason", "unknown-milestone", "--dry-run");
            });
            config.AddAsyncDelegate<RebuildSettings>("rebuild", (_, s, token) => new RebuildCommand(context).Run(s, token))
                .WithDescription("Recomputes each project's state from its stored events and reports every difference; --repair writes the recomputed state.")
                .WithExample("rebuild", "--project", "lize-city-terminal", "--repair");
            config.AddBranch("outbox", outbox =>
            {
                outbox.SetDescription("Completions and reopenings waiting to be published.");
                outbox.AddAsyncDelegate<OutboxListSettings>("list", (_, s, token) => new OutboxCommands(context).List(s, token))
                    .WithDescription("Lists pending entries with their age and lease, and which are stuck.");
                outbox.AddAsyncDelegate<OutboxRedriveSettings>("redrive", (_, s, token) => new OutboxCommands(context).Redrive(s, token))
                    .WithDescription("Releases the leases of stuck (or selected) entries so that the next dispatcher pass publishes them; publishes nothing itself.");
            });
        });
        try
        {
            return await app.RunAsync(args is ["ops", .. var rest] ? rest : args, cancellationToken);
        }
        catch (OpsException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
        catch (CommandAppException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The worker's own start-up checks (a missing catalog, an invalid option, an unreachable store): one line,
            // as the worker would log it, and the type for a search.
            await stderr.WriteLineAsync($"error: {ex.Message} ({ex.GetType().Name})");
            return 1;
        }
    }

    static IAnsiConsole ConsoleOn(TextWriter writer)
    {
        var interactive = (ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected) || (ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive)
        {
            // Redirected (a pipe, a file, a test): wide enough that tables do not wrap their ids.
            console.Profile.Width = 200;
        }
        return console;
    }
}
