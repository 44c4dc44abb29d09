namespace Milestones.ServiceDefaults;

/// <summary>
/// Telemetry settings beyond the standard <c>OTEL_*</c> variables, bound from <c>Telemetry</c>:
/// <code>{ "Telemetry": { "ConsoleExporter": "Traces, Metrics" } }</code>
/// OTLP export is configured by the standard variables alone (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>,
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_SERVICE_NAME</c>, …) and is on only when an endpoint is named.
/// </summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>
    /// Signals also written to standard output by OpenTelemetry's console exporter. Default <see cref="TelemetrySignals.None"/>;
    /// <c>appsettings.Development.json</c> turns traces on, and the demo (<c>--demo</c>) turns them off again so that its
    /// output stays readable. Logs are on the console anyway, with their trace ids.
    /// </summary>
    public TelemetrySignals ConsoleExporter { get; set; } = TelemetrySignals.None;
}

/// <summary>The OpenTelemetry signals, as flags: <c>"Traces, Metrics"</c>.</summary>
[Flags]
public enum TelemetrySignals
{
    None = 0,
    Traces = 1,
    Metrics = 2,
    Logs = 4,
}
