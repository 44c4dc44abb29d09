using System.Globalization;

namespace Milestones.Benchmarks;

/// <summary>What to run; parsed from the command line (see <see cref="Usage"/>).</summary>
public sealed record BenchmarkOptions
{
    public const string Usage = """
        Milestones benchmark: drain rate, latency, memory and scaling against raw RabbitMQ, in one run.

          bench/Milestones.Benchmarks/run.sh [options]        (starts a private broker unless MILESTONES_TEST_RABBITMQ_* are set)
          dotnet run -c Release --project bench/Milestones.Benchmarks -- [options]   (needs MILESTONES_TEST_RABBITMQ_*)

          MILESTONES_TEST_MONGODB=<connection string> adds the MongoDB drains: the worker on its MongoDB store and a naive
          MongoDB consumer, each in a database of its own on that server, dropped afterwards (without it they say "skipped").

          --count N          messages per drain (default 100000)
          --queue T          quorum | classic | both (default both; latency, memory and scaling run on quorum)
          --reps N           repetitions of every figure, median reported (default 3)
          --prefetch N       prefetch of every consumer (default: the worker's Messaging:PrefetchCount)
          --latency-seconds S  length of the steady-rate latency run (default 20)
          --latency-rate R   publish rate of the latency run in msg/s (default: half the measured Milestones drain rate)
          --history N        the larger project history of the scaling figure (default 10000)
          --scale-events N   events measured on top of each history (default 2000)
          --million          also feed one worker 1 000 000 events and compare its RSS at 100 000 and 1 000 000
          --only LIST        comma-separated subset: drain,latency,scaling,memory (default all);
                             "store" alone times the recorder on the SQLite store without a broker (a tuning aid)
          --drains LIST      comma-separated drain scenarios: limit,framework,naive,Milestones,Milestones-feed-off (the worker
                             with its MilestoneRecorded feed off: the feed's cost), and when MILESTONES_TEST_MONGODB
                             names a MongoDB server naive-mongodb,Milestones-mongodb (default all); also, to see
                             what the broker spends per message (docs/broker-cost.md): limit-multiple (acks 32 at a
                             time), framework-dlq (the no-op on a queue with the worker's delivery limit and dead-letter
                             exchange), framework-paced and framework-paced-dlq (the same, held to --paced-rate)
          --paced-rate R     rate the framework-paced drains are held to, msg/s (default 5000, near the worker's)
          --worker KEY=VALUE extra configuration for the worker under test (repeatable), e.g. Messaging:ConcurrentMessageLimit=64
          --markdown FILE    also write the report as Markdown to FILE
          --smoke            tiny counts, one repetition: checks that every scenario still runs
        """;

    public int Count { get; init; } = 100_000;
    public IReadOnlyList<QueueType> QueueTypes { get; init; } = [QueueType.Quorum, QueueType.Classic];
    public int Reps { get; init; } = 3;
    public int? Prefetch { get; init; }
    public double LatencySeconds { get; init; } = 20;
    public double? LatencyRate { get; init; }
    public int SmallHistory { get; init; } = 10;
    public int LargeHistory { get; init; } = 10_000;
    public int ScaleEvents { get; init; } = 2_000;
    public bool Million { get; init; }
    public int MillionCount { get; init; } = 1_000_000;
    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>(["drain", "latency", "scaling", "memory"]);
    public IReadOnlySet<string> DrainScenarios { get; init; } = new HashSet<string>(
        [Report.Limit, Report.Framework, Report.Naive, Report.Milestones, Report.MilestonesFeedOff, Report.NaiveMongoDb, Report.MilestonesMongoDb],
        StringComparer.OrdinalIgnoreCase);
    public double PacedRate { get; init; } = 5_000;
    public IReadOnlyDictionary<string, string> WorkerSettings { get; init; } = new Dictionary<string, string>();
    public string? MarkdownPath { get; init; }
    public bool Smoke { get; init; }

    /// <summary>The command line as given, for the report.</summary>
    public string CommandLine { get; init; } = "";

    public bool Runs(string part) => Only.Contains(part);

    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new BenchmarkOptions { CommandLine = string.Join(' ', args) };
        var smoke = args.Contains("--smoke");
        if (smoke)
        {
            options = options with
            {
                // Counts well above what one group commit of the worker carries (ConcurrentMessageLimit), or a drain
                // polled from the store can finish between two looks and leave nothing to time.
                Smoke = true, Count = 1_000, Reps = 1, LatencySeconds = 3, LargeHistory = 60, ScaleEvents = 600, MillionCount = 5_000,
            };
        }
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--count" => options with { Count = Positive(Int(), "--count") },
                "--queue" => options with { QueueTypes = ParseQueue(Value()) },
                "--reps" => options with { Reps = Positive(Int(), "--reps") },
                "--prefetch" => options with { Prefetch = Positive(Int(), "--prefetch") },
                "--latency-seconds" => options with { LatencySeconds = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--latency-rate" => options with { LatencyRate = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--history" => options with { LargeHistory = Positive(Int(), "--history") },
                "--scale-events" => options with { ScaleEvents = Positive(Int(), "--scale-events") },
                "--million" => options with { Million = true },
                "--only" => options with { Only = new HashSet<string>(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) },
                "--drains" => options with { DrainScenarios = new HashSet<string>(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.OrdinalIgnoreCase) },
                "--paced-rate" => options with { PacedRate = Positive(double.Parse(Value(), CultureInfo.InvariantCulture), "--paced-rate") },
                "--worker" => options with { WorkerSettings = WithSetting(options.WorkerSettings, Value()) },
                "--markdown" => options with { MarkdownPath = Value() },
                "--smoke" => options,
                _ => throw new ArgumentException($"unknown option '{args[i]}'"),
            };
        }
        return options;
    }

    static Dictionary<string, string> WithSetting(IReadOnlyDictionary<string, string> settings, string setting)
    {
        var (key, value) = setting.Split('=', 2) is [var k, var v] ? (k, v) : throw new ArgumentException($"--worker needs KEY=VALUE, not '{setting}'");
        return new Dictionary<string, string>(settings) { [key.Replace(":", "__", StringComparison.Ordinal)] = value };
    }

    static int Positive(int value, string name) => value > 0 ? value : throw new ArgumentException($"{name} must be positive");

    static double Positive(double value, string name) => value > 0 ? value : throw new ArgumentException($"{name} must be positive");

    static QueueType[] ParseQueue(string value) => value switch
    {
        "quorum" => [QueueType.Quorum],
        "classic" => [QueueType.Classic],
        "both" => [QueueType.Quorum, QueueType.Classic],
        _ => throw new ArgumentException("--queue must be quorum, classic or both"),
    };
}

public enum QueueType
{
    Quorum,
    Classic,
}
