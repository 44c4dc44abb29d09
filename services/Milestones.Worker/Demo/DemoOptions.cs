namespace Milestones.Worker.Demo;

/// <summary>
/// The demo: publishes what the work report says was reached in 2022 for a few projects, prints the
/// completions that come out and the projects' state, then keeps serving. Turned on by <c>--demo</c>.
/// </summary>
public sealed class DemoOptions
{
    public const string SectionName = "Demo";

    public bool Enabled { get; set; }

    /// <summary>Projects whose report milestones are published. Default: 地铁16号线南段 (complete) and 丽泽城市航站楼 (not yet).</summary>
    public string[] Projects { get; set; } = ["subway-16-south", "lize-city-terminal"];
}

public static class DemoSwitch
{
    /// <summary>
    /// Turns the demo on when the command line says <c>--demo</c> (a bare flag, which the command-line provider ignores),
    /// and the console exporter off, so that the demo's output is the story, not span dumps.
    /// </summary>
    public static IConfigurationBuilder AddDemoSwitch(this IConfigurationBuilder configuration, string[] args) =>
        args.Contains("--demo", StringComparer.OrdinalIgnoreCase)
            ? configuration.AddInMemoryCollection([
                new($"{DemoOptions.SectionName}:{nameof(DemoOptions.Enabled)}", "true"),
                new("Telemetry:ConsoleExporter", "None")])
            : configuration;

    /// <summary>Whether the configuration turns the demo on (<see cref="AddDemoSwitch"/> or <c>Demo:Enabled</c>).</summary>
    public static bool IsDemo(this IConfiguration configuration) =>
        configuration.GetSection(DemoOptions.SectionName).Get<DemoOptions>()?.Enabled == true;
}
