using System.Globalization;
using System.Text;

namespace Milestones.Benchmarks;

/// <summary>Every figure of a run, and the Markdown table they are printed as.</summary>
public sealed class Report
{
    public const string Limit = "limit";
    public const string Framework = "framework";
    public const string Naive = "naive";
    public const string Milestones = "Milestones";
    public const string MilestonesMongoDb = "Milestones-mongodb";

    /// <summary>The worker on SQLite with its event feed off (<c>Feeds:MilestoneRecorded=false</c>), beside <see cref="Milestones"/> (on, the default).</summary>
    public const string MilestonesFeedOff = "Milestones-feed-off";
    public const string NaiveMongoDb = "naive-mongodb";

    /// <summary>What the MongoDB rows say when <c>MILESTONES_TEST_MONGODB</c> names no server.</summary>
    public const string NoMongoDb = "skipped: no MongoDB server (set MILESTONES_TEST_MONGODB to a connection string)";

    public string Machine { get; set; } = "";
    public string Command { get; set; } = "";
    public string LoadAtStart { get; set; } = "";
    public string LoadAtEnd { get; set; } = "";
    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;
    public int Count { get; set; }
    public int Reps { get; set; }
    public int Prefetch { get; set; }
    public double PayloadBytes { get; set; }
    public double EnvelopeBytes { get; set; }
    public List<QueueType> QueueTypes { get; } = [];

    /// <summary>Drain rates in msg/s by scenario and queue type.</summary>
    public Dictionary<(string Scenario, QueueType Type), Figure> Drain { get; } = [];

    /// <summary>Why the MongoDB rows (the worker on MongoDB, the naive MongoDB consumer) are empty, or null when a server was given.</summary>
    public string? MongoDbSkipped { get; set; } = NoMongoDb;

    public double? LatencyRate { get; set; }
    public string LatencyCatalog { get; set; } = "";
    public Figure StoredP50 { get; } = new("ms", "0.0");
    public Figure StoredP99 { get; } = new("ms", "0.0");
    public Figure CompletedP50 { get; } = new("ms", "0.0");
    public Figure CompletedP99 { get; } = new("ms", "0.0");
    public Figure Completions { get; } = new("");
    public Figure AchievedRate { get; } = new("msg/s");

    /// <summary>CPU over the latency run's measured window: this process (publisher, store poller, subscriber), the worker, the broker.</summary>
    public CpuShare LatencyBenchmarkCpu { get; } = new();
    public CpuShare LatencyWorkerCpu { get; } = new();
    public CpuShare LatencyBrokerCpu { get; } = new();

    public Figure PeakRss { get; } = new("MiB", "0");
    public Figure SteadyRss { get; } = new("MiB", "0");
    public Figure RssAt100K { get; } = new("MiB", "0");
    public Figure RssAtMillion { get; } = new("MiB", "0");
    public Figure PeakRssMillion { get; } = new("MiB", "0");
    public Figure MillionRate { get; } = new("msg/s");
    public int MillionCount { get; set; } = 1_000_000;

    public int SmallHistory { get; set; }
    public int LargeHistory { get; set; }
    public int ScaleEvents { get; set; }
    public Figure PerEventSmall { get; } = new("ms", "0.00");
    public Figure PerEventLarge { get; } = new("ms", "0.00");

    public List<string> Failures { get; } = [];

    /// <summary>CPU µs per message of the consuming process, and of the broker, by scenario and queue type.</summary>
    public Dictionary<(string Scenario, QueueType Type), Figure> ConsumerCpu { get; } = [];

    public Dictionary<(string Scenario, QueueType Type), Figure> BrokerCpu { get; } = [];

    /// <summary>What the Milestones cells of a classic column say: the worker always declares a quorum queue.</summary>
    public const string WorkerQueueIsQuorum = "not run: the worker declares its own queue, always quorum";

    public Figure DrainOf(string scenario, QueueType type) => Get(Drain, scenario, type, "msg/s", "N0");

    public Figure CpuOf(string scenario, QueueType type) => Get(ConsumerCpu, scenario, type, "µs", "0");

    public Figure BrokerCpuOf(string scenario, QueueType type) => Get(BrokerCpu, scenario, type, "µs", "0");

    static Figure Get(Dictionary<(string, QueueType), Figure> figures, string scenario, QueueType type, string unit, string format)
    {
        if (!figures.TryGetValue((scenario, type), out var figure))
        {
            figures[(scenario, type)] = figure = new Figure(unit, format);
        }
        return figure;
    }

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine(inv, $"### Run of {Started:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine(inv, $"- Machine: {Machine}");
        md.AppendLine(inv, $"- Load average (1/5/15 min) at start: {LoadAtStart}; at end: {LoadAtEnd}");
        md.AppendLine(inv, $"- Command: `bench/Milestones.Benchmarks/run.sh{(Command.Length > 0 ? " " + Command : "")}`");
        md.AppendLine(inv, $"- {Count:N0} messages per drain, prefetch {Prefetch} for every consumer, {Reps} repetitions: median (min–max)");
        md.AppendLine(inv, $"- MilestoneReached payload {PayloadBytes:0} bytes, {EnvelopeBytes:0} bytes in MassTransit's envelope");
        md.AppendLine();

        md.AppendLine("#### Drain of a pre-filled queue (msg/s)");
        md.AppendLine();
        md.AppendLine("| scenario | " + string.Join(" | ", QueueTypes.Select(t => t.ToString().ToLowerInvariant())) + " |");
        md.AppendLine("|---|" + string.Concat(QueueTypes.Select(_ => "---:|")));
        Row(md, "limit: RabbitMQ.Client 7.2, ack each", t => DrainOf(Limit, t).ToString());
        Row(md, "framework: MassTransit 8.5 no-op consumer", t => DrainOf(Framework, t).ToString());
        Row(md, "naive: MassTransit + one SQLite transaction per event", t => DrainOf(Naive, t).ToString());
        Row(md, NaiveMongoDbRow, t => MongoDbSkipped ?? DrainOf(NaiveMongoDb, t).ToString());
        Row(md, "Milestones: the worker, SQLite store", t => t == QueueType.Quorum ? DrainOf(Milestones, t).ToString() : WorkerQueueIsQuorum);
        Row(md, MilestonesMongoDbRow, t => MongoDbSkipped ?? (t == QueueType.Quorum ? DrainOf(MilestonesMongoDb, t).ToString() : WorkerQueueIsQuorum));
        Row(md, MilestonesFeedOffRow, t => t == QueueType.Quorum ? DrainOf(MilestonesFeedOff, t).ToString() : WorkerQueueIsQuorum);
        Row(md, "**Milestones / limit**", t => Ratio.Of(DrainOf(Milestones, t), DrainOf(Limit, t)));
        Row(md, "**Milestones / framework**", t => Ratio.Of(DrainOf(Milestones, t), DrainOf(Framework, t)));
        Row(md, "**Milestones / naive**", t => Ratio.Of(DrainOf(Milestones, t), DrainOf(Naive, t)));
        Row(md, MongoDbRatioRow, t => MongoDbSkipped is null ? Ratio.Of(DrainOf(MilestonesMongoDb, t), DrainOf(NaiveMongoDb, t)) : "–");
        Row(md, FeedRatioRow, t => t == QueueType.Quorum ? Ratio.Of(DrainOf(Milestones, t), DrainOf(MilestonesFeedOff, t)) : "–");
        md.AppendLine();

        md.AppendLine("CPU per message over the same drains (µs; consuming process / broker): where the time goes on two shared cores.");
        md.AppendLine();
        md.AppendLine("| scenario | " + string.Join(" | ", QueueTypes.Select(t => t.ToString().ToLowerInvariant())) + " |");
        md.AppendLine("|---|" + string.Concat(QueueTypes.Select(_ => "---:|")));
        foreach (var scenario in MongoDbSkipped is null
            ? [Limit, Framework, Naive, NaiveMongoDb, Milestones, MilestonesFeedOff, MilestonesMongoDb]
            : new[] { Limit, Framework, Naive, Milestones, MilestonesFeedOff })
        {
            Row(md, scenario, t => $"{CpuOf(scenario, t)} / {BrokerCpuOf(scenario, t)}");
        }
        if (MongoDbSkipped is null)
        {
            md.AppendLine();
            md.AppendLine("The MongoDB server's own CPU is not counted (it may be on another machine).");
        }
        md.AppendLine();

        // The variants named in --drains (docs/broker-cost.md), when some ran.
        var variants = Drain.Keys.Select(k => k.Scenario).Distinct()
            .Where(s => s is not (Limit or Framework or Naive or Milestones or MilestonesFeedOff or NaiveMongoDb or MilestonesMongoDb)).Order(StringComparer.Ordinal).ToList();
        if (variants.Count > 0)
        {
            md.AppendLine("Variants (msg/s; CPU µs per message, consuming process / broker):");
            md.AppendLine();
            md.AppendLine("| scenario | " + string.Join(" | ", QueueTypes.Select(t => t.ToString().ToLowerInvariant())) + " |");
            md.AppendLine("|---|" + string.Concat(QueueTypes.Select(_ => "---:|")));
            foreach (var scenario in variants)
            {
                Row(md, scenario, t => $"{DrainOf(scenario, t)}; {CpuOf(scenario, t)} / {BrokerCpuOf(scenario, t)}");
            }
            md.AppendLine();
        }

        md.AppendLine("#### Latency at half the Milestones drain rate (quorum queue)");
        md.AppendLine();
        if (LatencyRate is { } rate)
        {
            md.AppendLine(inv, $"Steady publish at {rate:N0} msg/s (achieved {AchievedRate}), measured after a warm-up at the same rate that the worker has caught up with; {LatencyCatalog}; {Completions} completions measured per run.");
            md.AppendLine();
            md.AppendLine("| | p50 (ms) | p99 (ms) |");
            md.AppendLine("|---|---:|---:|");
            md.AppendLine(inv, $"| publish → stored (seen in the store) | {StoredP50} | {StoredP99} |");
            md.AppendLine(inv, $"| last required milestone published → ProjectCompleted at a subscriber | {CompletedP50} | {CompletedP99} |");
            md.AppendLine();
            md.AppendLine(inv, $"CPU over the measured window, by the processes sharing the machine's {Environment.ProcessorCount} cores (per message published, and % of one core):");
            md.AppendLine();
            md.AppendLine("| process | µs per message | % of a core |");
            md.AppendLine("|---|---:|---:|");
            md.AppendLine(inv, $"| this benchmark: publisher, 2 ms store poller, subscriber | {LatencyBenchmarkCpu.PerMessage} | {LatencyBenchmarkCpu.OfACore} |");
            md.AppendLine(inv, $"| the worker | {LatencyWorkerCpu.PerMessage} | {LatencyWorkerCpu.OfACore} |");
            md.AppendLine(LatencyBrokerCpu.IsEmpty
                ? "| the broker | not measured: not the private broker of tests/rabbitmq.sh | – |"
                : string.Create(inv, $"| the broker | {LatencyBrokerCpu.PerMessage} | {LatencyBrokerCpu.OfACore} |"));
        }
        else
        {
            md.AppendLine("not run");
        }
        md.AppendLine();

        md.AppendLine("#### Memory of the worker process (RSS, MiB)");
        md.AppendLine();
        md.AppendLine("| | value |");
        md.AppendLine("|---|---:|");
        md.AppendLine(inv, $"| peak during a {Count:N0}-message drain (VmHWM) | {PeakRss} |");
        md.AppendLine(inv, $"| steady: median over the second half of that drain | {SteadyRss} |");
        if (!RssAtMillion.IsEmpty)
        {
            md.AppendLine(inv, $"| one worker fed {MillionCount:N0} events: RSS at {MillionCount / 10:N0} | {RssAt100K} |");
            md.AppendLine(inv, $"| the same at {MillionCount:N0} | {RssAtMillion} |");
            md.AppendLine(inv, $"| its peak (VmHWM) | {PeakRssMillion} |");
            md.AppendLine(inv, $"| its rate over the {MillionCount:N0} (msg/s) | {MillionRate} |");
            md.AppendLine(inv, $"| **growth {MillionCount / 10:N0} → {MillionCount:N0}** | {Ratio.Of(RssAtMillion, RssAt100K)} × |");
        }
        else
        {
            md.AppendLine("| growth 100,000 → 1,000,000 | not run (--million) |");
        }
        md.AppendLine();

        md.AppendLine(inv, $"#### Per-event cost in one project (ms per event, {ScaleEvents:N0} events measured on top of the history)");
        md.AppendLine();
        md.AppendLine("| history of the project | ms/event |");
        md.AppendLine("|---|---:|");
        md.AppendLine(inv, $"| {SmallHistory:N0} events | {PerEventSmall} |");
        md.AppendLine(inv, $"| {LargeHistory:N0} events | {PerEventLarge} |");
        md.AppendLine(inv, $"| **ratio** | {Ratio.Of(PerEventLarge, PerEventSmall)} |");
        md.AppendLine();

        md.AppendLine("#### Targets (issue 10)");
        md.AppendLine();
        md.AppendLine("| target | measured | met |");
        md.AppendLine("|---|---|---|");
        var quorum = QueueType.Quorum;
        Target(md, "Milestones ≥ 0.7 × framework (quorum, SQLite)", DrainOf(Milestones, quorum), DrainOf(Framework, quorum), r => r >= 0.7);
        Reported(md, "Milestones / limit (quorum, SQLite; goal 0.5)", DrainOf(Milestones, quorum), DrainOf(Limit, quorum), r => r >= 0.5);
        md.AppendLine(inv, $"| p99 last milestone → ProjectCompleted < 100 ms at half load | {CompletedP99} ms | {Met(!CompletedP99.IsEmpty, CompletedP99.Median < 100)} |");
        var peak = RssAtMillion.IsEmpty ? PeakRss : PeakRssMillion;
        md.AppendLine(inv, $"| RSS < 250 MiB | peak {peak} MiB | {Met(!peak.IsEmpty, peak.Median < 250)} |");
        md.AppendLine(inv, $"| RSS flat {MillionCount / 10:N0} → {MillionCount:N0} (within 10 %) | {Ratio.Of(RssAtMillion, RssAt100K)} × | {Met(!RssAtMillion.IsEmpty, RssAtMillion.Median <= 1.1 * RssAt100K.Median)} |");
        Target(md, $"per-event cost at {LargeHistory:N0} ≤ 1.5 × at {SmallHistory:N0}", PerEventLarge, PerEventSmall, r => r <= 1.5);
        if (MongoDbSkipped is { } skipped)
        {
            md.AppendLine(inv, $"| Milestones(MongoDB) / naive-MongoDB (quorum) | {skipped} | reported |");
        }
        else
        {
            Reported(md, "Milestones(MongoDB) / naive-MongoDB (quorum)", DrainOf(MilestonesMongoDb, quorum), DrainOf(NaiveMongoDb, quorum), goal: null);
        }
        Reported(md, "Milestones / naive (quorum, SQLite; issue 6 asked ≥ 3)", DrainOf(Milestones, quorum), DrainOf(Naive, quorum), r => r >= 3);
        Reported(md, FeedCostTarget, DrainOf(Milestones, quorum), DrainOf(MilestonesFeedOff, quorum), goal: null);
        if (Failures.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("#### Failures");
            md.AppendLine();
            foreach (var failure in Failures)
            {
                md.AppendLine(inv, $"- {failure.ReplaceLineEndings(" ")}");
            }
        }
        return md.ToString();
    }

    /// <summary>Names of the MongoDB rows of the drain table.</summary>
    public const string NaiveMongoDbRow = "naive-MongoDB: MassTransit + one insert and one update per event (w: majority, journaled)";
    public const string MilestonesMongoDbRow = "Milestones: the worker, MongoDB store";
    public const string MongoDbRatioRow = "**Milestones(MongoDB) / naive-MongoDB**";

    /// <summary>The rows of the feed's cost: the worker with its MilestoneRecorded feed off, and the default (on) over it.</summary>
    public const string MilestonesFeedOffRow = "Milestones: the worker, SQLite store, feed off (Feeds:MilestoneRecorded=false)";
    public const string FeedRatioRow = "**Milestones (feed on) / feed off**";
    public const string FeedCostTarget = "cost of the MilestoneRecorded feed: Milestones (feed on, the default) / feed off (quorum, SQLite)";

    void Row(StringBuilder md, string name, Func<QueueType, string> cell) =>
        md.AppendLine("| " + name + " | " + string.Join(" | ", QueueTypes.Select(cell)) + " |");

    static void Target(StringBuilder md, string name, Figure numerator, Figure denominator, Func<double, bool> met)
    {
        var measured = !numerator.IsEmpty && !denominator.IsEmpty;
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| {name} | {Ratio.Of(numerator, denominator)} | {Met(measured, measured && met(numerator.Median / denominator.Median))} |");
    }

    /// <summary>A ratio reported rather than held to a target; with a goal, whether it reaches it.</summary>
    static void Reported(StringBuilder md, string name, Figure numerator, Figure denominator, Func<double, bool>? goal)
    {
        var measured = !numerator.IsEmpty && !denominator.IsEmpty;
        var note = !measured ? "reported (not measured)"
            : goal is null ? "reported"
            : goal(numerator.Median / denominator.Median) ? "reported (goal reached)" : "reported (goal **not** reached)";
        md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Ratio.Of(numerator, denominator)} | {note} |");
    }

    static string Met(bool measured, bool met) => !measured ? "not measured" : met ? "yes" : "**no**";
}
