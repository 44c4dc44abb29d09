namespace Milestones.Telemetry.Tests.Infrastructure;

/// <summary>The worker as an OS process, started as a container starts it (<c>dotnet Milestones.Worker.dll</c>), configured by environment variables only.</summary>
static class WorkerProcess
{
    public static ChildProcess Start(Dictionary<string, string?> environment, params string[] arguments)
    {
        // Nothing inherited decides for the test: ports, environment and telemetry are all named here.
        var start = WorkerLaunch.StartInfo(arguments);
        WorkerLaunch.Set(start, new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Health__Port"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Production's query API needs a token issuer; nothing asks it for keys unless a token is sent.
            ["Api__Authentication__Authority"] = "https://login.example.org/realms/milestones-tests",
            ["Api__Authentication__Audience"] = "milestones-api",
        });
        WorkerLaunch.Set(start, environment);
        // The content root is the working directory, as in the container: appsettings*.json and the catalog are there.
        return ChildProcess.Start(start);
    }
}
