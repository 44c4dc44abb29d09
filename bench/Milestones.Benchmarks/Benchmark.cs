using System.Globalization;
using System.Text.Json;
using Milestones.Benchmarks.Scenarios;
using Milestones.Benchmarks.Worker;
using Milestones.Domain.Catalog;
using RabbitMQ.Client;

namespace Milestones.Benchmarks;

/// <summary>The whole run: every scenario on the same broker, the same backlog size and the same prefetch.</summary>
public static class Benchmark
{
    /// <summary>A MongoDB connection string: the MongoDB rows run against that server, else they say "skipped".</summary>
    public const string MongoDbVariable = "MILESTONES_TEST_MONGODB";

    public static async Task<Report> Run(BenchmarkOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var report = new Report
        {
            Command = options.CommandLine,
            Count = options.Count,
            Reps = options.Reps,
            LoadAtStart = Machine.LoadAverage(),
            SmallHistory = options.SmallHistory,
            LargeHistory = options.LargeHistory,
            ScaleEvents = options.ScaleEvents,
            MillionCount = options.MillionCount,
        };
        report.QueueTypes.AddRange(options.QueueTypes);
        var mongoDb = Environment.GetEnvironmentVariable(MongoDbVariable) is { Length: > 0 } server ? server : null;
        if (mongoDb is not null)
        {
            report.MongoDbSkipped = null;
        }
        if (options.Runs("store"))
        {
            var storeScratch = Directory.CreateTempSubdirectory("milestones-bench-").FullName;
            var storeCatalog = ProjectCatalog.LoadFile(Path.Combine(WorkerProcess.WorkerDirectory(), "catalog", "fengtai-2023.json"));
            await StoreRun.Run(options, storeCatalog, storeScratch, new Log(output));
            Directory.Delete(storeScratch, recursive: true);
            return report;
        }
        var broker = Broker.FromEnvironment();
        if (broker is null)
        {
            report.Failures.Add("no broker: set MILESTONES_TEST_RABBITMQ_HOST/PORT/USER/PASS, or run bench/Milestones.Benchmarks/run.sh");
            await output.WriteLineAsync(report.Failures[0]);
            return report;
        }

        var workerDirectory = WorkerProcess.WorkerDirectory();
        var catalog = ProjectCatalog.LoadFile(Path.Combine(workerDirectory, "catalog", "fengtai-2023.json"));
        var prefetch = options.Prefetch ?? WorkerPrefetch(workerDirectory);
        report.Prefetch = prefetch;
        var scratch = Directory.CreateTempSubdirectory("milestones-bench-").FullName;
        var log = new Log(output);

        await using var admin = await broker.Connect("bench-admin");
        report.Machine = Machine.Describe(Broker.ServerVersion(admin));
        var sample = Enumerable.Range(0, 200).Select(_ => new Workload(catalog, 1).Next()).ToList();
        report.PayloadBytes = sample.Average(m => m.PayloadBytes);
        report.EnvelopeBytes = sample.Average(m => m.Body.Length);
        log.Line($"{report.Machine}; load {report.LoadAtStart}; prefetch {prefetch}; scratch {scratch}");

        try
        {
            if (options.Runs("drain"))
            {
                await Drains(options, broker, admin, catalog, prefetch, scratch, mongoDb, report, log);
            }
            if (options.Runs("latency"))
            {
                await Guard(report, log, "latency", () => LatencyRun.Run(options, broker, admin, catalog, prefetch, scratch, report, log));
            }
            if (options.Runs("scaling"))
            {
                await Guard(report, log, "scaling", () => ScalingRun.Run(options, broker, admin, catalog, prefetch, scratch, report, log));
            }
            if (options.Runs("memory") && options.Million)
            {
                await Guard(report, log, "memory", () => MemoryRun.Run(options, broker, admin, catalog, prefetch, scratch, report, log));
            }
        }
        finally
        {
            try
            {
                Directory.Delete(scratch, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        report.LoadAtEnd = Machine.LoadAverage();
        var markdown = report.ToMarkdown();
        await output.WriteLineAsync();
        await output.WriteAsync(markdown);
        if (options.MarkdownPath is { } path)
        {
            await File.WriteAllTextAsync(path, markdown);
        }
        return report;
    }

    /// <summary>Scenarios interleaved inside each repetition, so that a noisy neighbour hurts them alike.</summary>
    static async Task Drains(BenchmarkOptions options, Broker broker, IConnection admin, ProjectCatalog catalog, int prefetch, string scratch,
        string? mongoDb, Report report, Log log)
    {
        foreach (var type in options.QueueTypes)
        {
            for (var rep = 1; rep <= options.Reps; rep++)
            {
                IDrainScenario[] scenarios =
                [
                    new LimitScenario(broker),
                    new LimitScenario(broker, ackMultiple: true),
                    new FrameworkScenario(broker),
                    new FrameworkScenario(broker, "framework-dlq", workerQueue: true),
                    new FrameworkScenario(broker, "framework-paced", options.PacedRate),
                    new FrameworkScenario(broker, "framework-paced-dlq", options.PacedRate, workerQueue: true),
                    new NaiveScenario(broker, scratch),
                    new MilestonesScenario(broker, admin, scratch, options),
                    // The same worker with its event feed off, in the same repetition: the feed's cost is the ratio.
                    new MilestonesScenario(broker, admin, scratch, options, feed: false),
                    .. mongoDb is null
                        ? Array.Empty<IDrainScenario>()
                        : [new NaiveMongoScenario(broker, mongoDb), new MilestonesScenario(broker, admin, scratch, options, mongoDb)],
                ];
                // The worker declares its own queue, always a quorum queue (its production topology): on a classic queue
                // it would measure a quorum queue under the classic column.
                foreach (var scenario in scenarios.Where(s => options.DrainScenarios.Contains(s.Name) && (s is not MilestonesScenario || type == QueueType.Quorum)))
                {
                    await Guard(report, log, $"{scenario.Name} {type} rep {rep}", async () =>
                    {
                        var result = await DrainRunner.Run(scenario, admin, type, options.Count, prefetch, new Workload(catalog, rep));
                        report.DrainOf(scenario.Name, type).Add(result.Rate);
                        if (!double.IsNaN(result.ConsumerCpu))
                        {
                            report.CpuOf(scenario.Name, type).Add(result.ConsumerCpu);
                        }
                        if (!double.IsNaN(result.BrokerCpu))
                        {
                            report.BrokerCpuOf(scenario.Name, type).Add(result.BrokerCpu);
                        }
                        // The RSS figures are the SQLite worker's.
                        if (scenario is MilestonesScenario { Name: Report.Milestones } milestones && type == QueueType.Quorum)
                        {
                            RecordMemory(milestones.Harness, report);
                        }
                        log.Line($"{type,-7} rep {rep} {scenario.Name,-10} {result.Rate,10:N0} msg/s over {result.Seconds:0.0} s; "
                            + $"CPU/msg {result.ConsumerCpu:0} µs consumer, {result.BrokerCpu:0} µs broker (filled at {result.FillRate:N0} msg/s); "
                            + $"by tenth: {string.Join(' ', result.RateByTenth.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))}");
                    });
                }
            }
        }
    }

    static void RecordMemory(WorkerHarness harness, Report report)
    {
        var samples = harness.Memory.Where(m => m.Rss > 0).ToList();
        if (samples.Count == 0)
        {
            return;
        }
        report.PeakRss.Add(samples.Max(m => m.Rss) / 1048576.0);
        var secondHalf = samples.Skip(samples.Count / 2).Select(m => m.Rss / 1048576.0).ToList();
        report.SteadyRss.Add(Figure.Percentile(secondHalf, 0.5));
    }

    static async Task Guard(Report report, Log log, string what, Func<Task> run)
    {
        try
        {
            await run();
        }
        catch (Exception ex)
        {
            var failure = $"{what}: {ex.GetType().Name}: {ex.Message}";
            report.Failures.Add(failure);
            log.Line($"FAILED {failure}");
        }
    }

    /// <summary>The prefetch the worker runs with in production (its appsettings.json), so every consumer uses that.</summary>
    static int WorkerPrefetch(string workerDirectory)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(workerDirectory, "appsettings.json")));
        return json.RootElement.TryGetProperty("Messaging", out var messaging) && messaging.TryGetProperty("PrefetchCount", out var prefetch)
            ? prefetch.GetInt32()
            : throw new InvalidOperationException("the worker's appsettings.json names no Messaging:PrefetchCount; pass --prefetch");
    }
}

/// <summary>Progress lines, time-stamped, as the run goes.</summary>
public sealed class Log(TextWriter output)
{
    readonly DateTimeOffset started = DateTimeOffset.UtcNow;

    public void Line(string text)
    {
        lock (output)
        {
            output.WriteLine($"[{(DateTimeOffset.UtcNow - started).TotalSeconds,7:0.0}s] {text}");
            output.Flush();
        }
    }
}
