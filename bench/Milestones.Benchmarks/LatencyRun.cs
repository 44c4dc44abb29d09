using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Milestones.Benchmarks.Scenarios;
using Milestones.Benchmarks.Worker;
using Milestones.Contracts;
using Milestones.Domain.Catalog;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Milestones.Benchmarks;

/// <summary>
/// Latency at a steady publish rate of half the measured Milestones drain rate: publish → stored (seen in the store by
/// a 2 ms poll), and publish of a project's last required milestone → its <see cref="ProjectCompleted"/> at a subscriber.
/// <para>
/// A project completes once, and the catalog has 18, so the run also feeds copies of the catalog's projects
/// (<c>&lt;id&gt;-r0001</c>…, same plans) given to the worker as its catalog: their milestones, in random order, are
/// mixed into the stream so that completions keep coming during the whole run.
/// </para>
/// <para>
/// The benchmark's own work shares the machine with the worker and the broker (its publisher, its 2 ms store poller and
/// its subscriber, all in this process), so the CPU of the three processes over the measured window is reported beside
/// the percentiles.
/// </para>
/// </summary>
public static class LatencyRun
{
    const string Queue = "bench.latency";
    const string Subscriber = "bench.completions";

    public static async Task Run(BenchmarkOptions options, Broker broker, IConnection admin, ProjectCatalog catalog, int prefetch, string scratch, Report report, Log log)
    {
        var maximum = report.DrainOf(Report.Milestones, QueueType.Quorum);
        if (options.LatencyRate is { } given)
        {
            maximum = new Figure("msg/s", "N0");
            maximum.Add(2 * given);
        }
        else if (maximum.IsEmpty)
        {
            log.Line("latency: measuring the Milestones drain rate first (quorum)");
            var drain = await DrainRunner.Run(new MilestonesScenario(broker, admin, scratch, options), admin, QueueType.Quorum, options.Count, prefetch, new Workload(catalog, 0));
            maximum.Add(drain.Rate);
        }
        var rate = maximum.Median / 2;
        var completions = options.Smoke ? 20 : 1000;
        var (catalogPath, copies) = WriteCatalog(catalog, completions, scratch);
        report.LatencyRate = rate;
        report.LatencyCatalog = $"the catalog plus {copies.Count:N0} copies of its projects";

        var stored = new List<double>();
        for (var rep = 1; rep <= options.Reps; rep++)
        {
            var result = await Once(options, broker, admin, catalog, copies, catalogPath, rate, prefetch, scratch, rep);
            report.StoredP50.Add(Figure.Percentile(result.Stored, 0.5));
            report.StoredP99.Add(Figure.Percentile(result.Stored, 0.99));
            report.CompletedP50.Add(Figure.Percentile(result.Completed, 0.5));
            report.CompletedP99.Add(Figure.Percentile(result.Completed, 0.99));
            report.Completions.Add(result.Completed.Count);
            report.AchievedRate.Add(result.Rate);
            var window = result.Window;
            report.LatencyBenchmarkCpu.Add(window.Benchmark, window.Messages, window.Seconds);
            report.LatencyWorkerCpu.Add(window.Worker, window.Messages, window.Seconds);
            if (window.Broker is { } brokerCpu)
            {
                report.LatencyBrokerCpu.Add(brokerCpu, window.Messages, window.Seconds);
            }
            log.Line($"latency rep {rep}: CPU µs/msg over the measured {window.Seconds:0.0} s: benchmark {PerMessage(window.Benchmark, window.Messages)}, "
                + $"worker {PerMessage(window.Worker, window.Messages)}, broker {PerMessage(window.Broker, window.Messages)}");
            log.Line($"latency rep {rep}: {result.Rate:N0} msg/s; stored p50 {Figure.Percentile(result.Stored, 0.5):0.0} p99 {Figure.Percentile(result.Stored, 0.99):0.0} ms; "
                + $"completed p50 {Figure.Percentile(result.Completed, 0.5):0.0} p99 {Figure.Percentile(result.Completed, 0.99):0.0} ms over {result.Completed.Count} completions");
        }
    }

    static string PerMessage(TimeSpan? cpu, long messages) =>
        cpu is { } time ? (time.TotalMicroseconds / messages).ToString("0", System.Globalization.CultureInfo.InvariantCulture) : "not measured";

    sealed record Result(double Rate, List<double> Stored, List<double> Completed, CpuWindow Window);

    /// <summary>
    /// CPU time spent over the measured window (from the end of the warm-up until every measured event was seen stored)
    /// by this process, the worker and the broker (null when it is not the private broker, whose pid is known).
    /// </summary>
    sealed record CpuWindow(double Seconds, long Messages, TimeSpan Benchmark, TimeSpan Worker, TimeSpan? Broker);

    /// <summary>CPU times of the three processes now.</summary>
    readonly record struct CpuNow(TimeSpan Benchmark, TimeSpan Worker, TimeSpan? Broker)
    {
        public static CpuNow Take(WorkerHarness harness, Func<TimeSpan>? broker) => new(Cpu.Self(), Cpu.Of(harness.Process.Id), broker?.Invoke());
    }

    static async Task<Result> Once(BenchmarkOptions options, Broker broker, IConnection admin, ProjectCatalog catalog,
        List<ProjectDefinition> copies, string catalogPath, double rate, int prefetch, string scratch, int rep)
    {
        // The subscriber below is the worker's only one: the harness binds none of its own.
        await using var harness = new WorkerHarness(broker, admin, scratch, Queue, prefetch, options, catalogPath, subscriber: false);
        await Broker.Delete(admin, [.. harness.Entities, Subscriber]);
        var published = new ConcurrentDictionary<Guid, long>();
        var measured = new ConcurrentDictionary<Guid, bool>();
        var completed = new List<double>();
        var duplicates = 0;
        var reopenings = 0;

        // The subscriber: a queue bound to the worker's output exchanges (ProjectCompleted, and ProjectReopened so that
        // nothing it publishes comes back), declared as MassTransit declares them.
        await using var subscriberChannel = await admin.CreateChannelAsync();
        await subscriberChannel.QueueDeclareAsync(Subscriber, durable: false, exclusive: true, autoDelete: true);
        await Broker.BindToWorkerOutputs(subscriberChannel, Subscriber);
        var seenCompletions = new HashSet<string>();
        var consumer = new AsyncEventingBasicConsumer(subscriberChannel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var arrived = Stopwatch.GetTimestamp();
            if (delivery.Exchange != WireNames.ProjectCompletedExchange)
            {
                // A reopening (the stream has no retractions, so none is expected): counted against the outbox below.
                Interlocked.Increment(ref reopenings);
                return Task.CompletedTask;
            }
            var message = JsonNode.Parse(delivery.Body.Span)!["message"]!;
            var trigger = message["triggeringEventId"]!.GetValue<Guid>();
            lock (completed)
            {
                if (!seenCompletions.Add($"{message["projectId"]}/{message["completionNumber"]}"))
                {
                    duplicates++;
                }
                else if (measured.ContainsKey(trigger) && published.TryGetValue(trigger, out var sent))
                {
                    completed.Add(Stopwatch.GetElapsedTime(sent, arrived).TotalMilliseconds);
                }
            }
            return Task.CompletedTask;
        };
        await subscriberChannel.BasicConsumeAsync(Subscriber, autoAck: true, consumer);

        await harness.Start();
        // A replica that has just started compiles its code for its first ~25 s (tiered JIT) and falls behind a rate it
        // holds easily once warm: the warm-up runs at the same rate for 20 s, then waits until the worker has stored all
        // of it, so the measured part starts on a warm worker with no backlog.
        var warmupSeconds = options.Smoke ? 0.5 : 20;
        var total = (int)(rate * (options.LatencySeconds + warmupSeconds));
        var warmup = (int)(rate * warmupSeconds);
        var messages = Stream(catalog, copies, total, rep);

        // The store poller: an event counts as stored when a 2 ms poll first sees it.
        var stored = new List<double>(total);
        var storedCount = 0L;
        using var stop = new CancellationTokenSource();
        var poller = Task.Run(async () =>
        {
            var last = 0L;
            var seen = 0L;
            while (seen < total)
            {
                var ids = harness.Probe.NewEvents(ref last);
                var now = Stopwatch.GetTimestamp();
                foreach (var id in ids)
                {
                    if (measured.ContainsKey(id) && published.TryGetValue(id, out var sent))
                    {
                        stored.Add(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
                    }
                }
                seen += ids.Count;
                Volatile.Write(ref storedCount, seen);
                if (harness.Process.HasExited)
                {
                    throw new InvalidOperationException($"the worker exited:\n{harness.Process.LogTail()}");
                }
                await Task.Delay(2, stop.Token);
            }
        }, stop.Token);

        // Publish at the rate, a few at a time, each stamped just before it goes out.
        var brokerCpu = Cpu.Broker();
        var cpuAtStart = default(CpuNow);
        await using (var publisher = await Publisher.Create(admin))
        {
            var started = Stopwatch.GetTimestamp();
            var sent = 0;
            var measuring = false;
            while (sent < total)
            {
                if (!measuring && sent >= warmup)
                {
                    await publisher.Flush();
                    var caughtUp = Stopwatch.StartNew();
                    while (Volatile.Read(ref storedCount) < warmup)
                    {
                        if (poller.IsFaulted || caughtUp.Elapsed > TimeSpan.FromSeconds(120))
                        {
                            await poller.WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(_ => { }, TaskScheduler.Default);
                            throw new TimeoutException($"the worker did not catch up with the warm-up: {Volatile.Read(ref storedCount)}/{warmup}; {harness.Diagnose()}");
                        }
                        await Task.Delay(10);
                    }
                    measuring = true;
                    cpuAtStart = CpuNow.Take(harness, brokerCpu);
                    started = Stopwatch.GetTimestamp();
                }
                var due = measuring
                    ? Math.Min(total, warmup + (int)(Stopwatch.GetElapsedTime(started).TotalSeconds * rate))
                    : Math.Min(warmup, (int)(Stopwatch.GetElapsedTime(started).TotalSeconds * rate));
                for (; sent < due; sent++)
                {
                    var message = messages[sent];
                    published[message.EventId] = Stopwatch.GetTimestamp();
                    if (sent >= warmup)
                    {
                        measured[message.EventId] = true;
                    }
                    await publisher.Publish(Queue, message);
                }
                await Task.Delay(1);
            }
            var achieved = (total - warmup) / Stopwatch.GetElapsedTime(started).TotalSeconds;
            await publisher.Flush();

            var deadline = Stopwatch.StartNew();
            while (!poller.IsCompleted && deadline.Elapsed < TimeSpan.FromSeconds(120))
            {
                await Task.Delay(10);
            }
            var cpuAtEnd = CpuNow.Take(harness, brokerCpu);
            var window = new CpuWindow(Stopwatch.GetElapsedTime(started).TotalSeconds, total - warmup,
                cpuAtEnd.Benchmark - cpuAtStart.Benchmark, cpuAtEnd.Worker - cpuAtStart.Worker, cpuAtEnd.Broker - cpuAtStart.Broker);
            await stop.CancelAsync();
            await poller.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
            if (!poller.IsCompletedSuccessfully)
            {
                throw new TimeoutException($"not every event was stored: {harness.Probe.Count()}/{total}; {harness.Diagnose()}");
            }

            // Every completion (and reopening) the worker committed must arrive, once.
            // Completions and reopenings only: the event feed's MilestoneRecorded entries share the outbox.
            var expected = harness.Probe.CountExactly("outbox", "kind IS NULL OR kind IN ('completed', 'reopened')");
            deadline.Restart();
            while (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                lock (completed)
                {
                    if (seenCompletions.Count + Volatile.Read(ref reopenings) >= expected)
                    {
                        break;
                    }
                }
                await Task.Delay(50);
            }
            lock (completed)
            {
                if (seenCompletions.Count + Volatile.Read(ref reopenings) != expected || duplicates > 0)
                {
                    throw new InvalidOperationException(
                        $"{seenCompletions.Count} completions and {Volatile.Read(ref reopenings)} reopenings arrived ({duplicates} duplicates), the store has {expected}");
                }
                return new Result(achieved, stored, [.. completed], window);
            }
        }
    }

    /// <summary>
    /// The published stream: the drain's workload over the catalog, with the milestones of each copy mixed in evenly,
    /// one copy after the other, each copy's plan milestones in random order.
    /// </summary>
    static List<OutgoingMessage> Stream(ProjectCatalog catalog, List<ProjectDefinition> copies, int total, int seed)
    {
        var random = new Random(seed);
        var workload = new Workload(catalog, seed);
        var chain = new Queue<(ProjectDefinition Project, string Milestone)>();
        foreach (var copy in copies)
        {
            foreach (var code in copy.Plan.Milestones.OrderBy(_ => random.Next()))
            {
                chain.Enqueue((copy, code));
            }
        }
        var every = Math.Max(1.0, (double)total / chain.Count);
        var messages = new List<OutgoingMessage>(total);
        var next = 0.0;
        for (var i = 0; i < total; i++)
        {
            if (i >= next && chain.TryDequeue(out var item))
            {
                messages.Add(workload.For(item.Project, item.Milestone));
                next += every;
            }
            else
            {
                messages.Add(workload.Next());
            }
        }
        return messages;
    }

    /// <summary>The catalog file plus <paramref name="count"/> copies of its projects, for the worker.</summary>
    static (string Path, List<ProjectDefinition> Copies) WriteCatalog(ProjectCatalog catalog, int count, string scratch)
    {
        var source = JsonNode.Parse(File.ReadAllText(Path.Combine(WorkerProcess.WorkerDirectory(), "catalog", "fengtai-2023.json")))!;
        var projects = source["projects"]!.AsArray();
        var originals = projects.Select(p => p!.DeepClone()).ToList();
        var copies = new List<ProjectDefinition>(count);
        for (var i = 0; i < count; i++)
        {
            var copy = originals[i % originals.Count].DeepClone();
            var suffix = $"r{i + 1:D4}";
            copy["id"] = $"{copy["id"]}-{suffix}";
            copy["nameZh"] = $"{copy["nameZh"]}（{suffix}）";
            copy["nameEn"] = $"{copy["nameEn"]} ({suffix})";
            projects.Add(copy);
        }
        var path = Path.Combine(scratch, $"catalog-latency-{count}.json");
        File.WriteAllText(path, source.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        var loaded = ProjectCatalog.LoadFile(path);
        copies.AddRange(loaded.Projects.Skip(catalog.Projects.Count));
        return (path, copies);
    }
}
