namespace Milestones.Telemetry.Tests.Infrastructure;

/// <summary>The worker as an OS process, started as a container starts it (<c>dotnet Milestones.Worker.dll</c>), configured by environment variables only.</summary>
static class WorkerProcess
{
    public static ChildProcess Start(Dictionary<string, string?> environment, params string[] arguments)
    {
        var binary = Paths.WorkerBinary;
        var variables = new Dictionary<string, string?>
        {
            // Nothing inherited decides for the test: ports, environment and telemetry are all named here.
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["ASPNETCORE_HTTP_PORTS"] = null,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = null,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = null,
            ["OTEL_SERVICE_NAME"] = null,
            ["Health__Port"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Production's query API needs a token issuer; nothing asks it for keys unless a token is sent.
            ["Api__Authentication__Authority"] = "https://login.example.org/realms/milestones-tests",
            ["Api__Authentication__Audience"] = "milestones-api",
        };
        foreach (var (key, value) in environment)
        {
            variables[key] = value;
        }
        // The content root is the working directory, as in the container: appsettings*.json and the catalog are there.
        return ChildProcess.Start("dotnet", [binary, .. arguments], Path.GetDirectoryName(binary)!, variables);
    }
}
