using System.Diagnostics;
using System.Globalization;
using Milestones.Testing;

namespace Milestones.Benchmarks.Worker;

/// <summary>What the worker under test is told, on top of its production appsettings.json.</summary>
public sealed record WorkerSettings(string QueueName, string DatabasePath, int Prefetch)
{
    /// <summary>Another catalog file than the shipped one (the latency run's larger catalog); null for the shipped one.</summary>
    public string? CatalogPath { get; init; }

    /// <summary>
    /// Run on MongoDB instead of SQLite (<see cref="DatabasePath"/> then unused): the server and a database of the
    /// harness's own.
    /// </summary>
    public MongoDbDatabase? MongoDb { get; init; }

    /// <summary>The MilestoneRecorded feed (<c>Feeds:MilestoneRecorded</c>): on, as deployed, unless the run measures it off.</summary>
    public bool Feed { get; init; } = true;

    /// <summary>More configuration, as environment variables (<c>Section__Key</c>).</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();
}

/// <summary>A MongoDB server (a connection string) and the database the worker is to use on it.</summary>
public sealed record MongoDbDatabase(string ConnectionString, string DatabaseName);

/// <summary>
/// The built worker (services/Milestones.Worker, the same configuration as this benchmark) run as its own process,
/// as it is deployed: its Program.cs, its production appsettings.json (log levels included), with the store and the
/// broker given through the environment. Its output goes to a log file.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    readonly Process process;

    WorkerProcess(Process process, string logPath)
    {
        this.process = process;
        LogPath = logPath;
    }

    public int Id => process.Id;
    public string LogPath { get; }
    public bool HasExited => process.HasExited;

    /// <summary>services/Milestones.Worker/bin/&lt;configuration&gt;/&lt;framework&gt;, found from this assembly's own output directory.</summary>
    public static string WorkerDirectory() =>
        File.Exists(Paths.WorkerDll)
            ? Paths.WorkerDirectory
            : throw new FileNotFoundException($"the worker is not built in {Paths.WorkerDirectory}: build the benchmark (it builds the worker too)");

    public static WorkerProcess Start(Broker broker, WorkerSettings settings, string logPath)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(settings);
        var directory = WorkerDirectory();
        // sh execs dotnet: the process id is the worker's own, and its output goes to the file without a pipe through us.
        var start = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec dotnet \"$0\" >>\"$1\" 2>&1");
        start.ArgumentList.Add(Path.Combine(directory, "Milestones.Worker.dll"));
        start.ArgumentList.Add(logPath);

        // Configuration of ours must not leak in from the caller's environment: the same variables every test's worker process drops.
        WorkerLaunch.ClearInherited(start.Environment);
        var env = start.Environment;
        env["DOTNET_ENVIRONMENT"] = "Production";
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        env["Health__Port"] = "0";   // probes on the app's (free) port: nothing fixed to collide with
        // Production's query API needs a token issuer; the benchmark never calls the API.
        env["Api__Authentication__Authority"] = "https://login.example.org/realms/milestones-benchmark";
        env["Api__Authentication__Audience"] = "milestones-api";
        env["MILESTONES_SECRETS_DIR"] = Path.Combine(Path.GetDirectoryName(settings.DatabasePath)!, "no-secrets");
        if (settings.MongoDb is { } mongo)
        {
            // services/Milestones.Storage.MongoDB/README.md; write concern, journal and retries stay at their defaults.
            env["Storage__Provider"] = "MongoDb";
            env["MongoDb__ConnectionString"] = mongo.ConnectionString;
            env["MongoDb__DatabaseName"] = mongo.DatabaseName;
        }
        else
        {
            env["Storage__Provider"] = "Sqlite";
            env["Storage__Sqlite__Path"] = settings.DatabasePath;
        }
        env["Messaging__Transport"] = "RabbitMq";
        env["Messaging__QueueName"] = settings.QueueName;
        env["Messaging__PrefetchCount"] = settings.Prefetch.ToString(CultureInfo.InvariantCulture);
        env["Feeds__MilestoneRecorded"] = settings.Feed ? "true" : "false";
        // A feed queue per worker queue, deleted with the rest of its entities: nothing reads it during a run.
        env["Feeds__MilestoneRecordedQueue"] = WorkerHarness.FeedQueueOf(settings.QueueName);
        env["RabbitMqTransport__Host"] = broker.Host;
        env["RabbitMqTransport__Port"] = broker.Port.ToString(CultureInfo.InvariantCulture);
        env["RabbitMqTransport__VHost"] = "/";
        env["RabbitMqTransport__User"] = broker.User;
        env["RabbitMqTransport__Pass"] = broker.Pass;
        // The test broker's guest user, which Production refuses unless told.
        env["Messaging__AllowDefaultBrokerCredentials"] = "true";
        // And its plaintext AMQP port (and a MongoDB URL without TLS, when one is given).
        env["Security__AllowInsecureTransport"] = "true";
        // The catalog's 2023 due dates are long past: overdue findings would be writes and publishes the benchmark does not measure.
        env["Schedule__Enabled"] = "false";
        if (settings.CatalogPath is { } catalog)
        {
            env["Catalog__Path"] = catalog;
        }
        foreach (var (key, value) in settings.Extra)
        {
            env[key] = value;
        }
        return new WorkerProcess(Process.Start(start)!, logPath);
    }

    /// <summary>Resident set size now, in bytes (VmRSS).</summary>
    public long Rss() => ReadStatus("VmRSS:");

    /// <summary>Peak resident set size so far, in bytes (VmHWM).</summary>
    public long PeakRss() => ReadStatus("VmHWM:");

    long ReadStatus(string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var kb = line[field.Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // Exited meanwhile.
        }
        return 0;
    }

    /// <summary>The last lines of the worker's output, for a failure message.</summary>
    public string LogTail(int lines = 30)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException ex)
        {
            return $"(no log: {ex.Message})";
        }
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod, and wait for the graceful stop; SIGKILL after a minute.</summary>
    public async Task Stop()
    {
        if (process.HasExited)
        {
            return;
        }
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Stop();
        process.Dispose();
    }
}
