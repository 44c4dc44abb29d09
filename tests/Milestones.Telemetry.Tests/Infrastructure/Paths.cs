namespace Milestones.Telemetry.Tests.Infrastructure;

/// <summary>Where things are in the repository, found from the test's own output directory.</summary>
static class Paths
{
    /// <summary>The repository root: the nearest ancestor of the test binaries that holds Milestones.sln.</summary>
    public static string Repository { get; } = FindRepository();

    /// <summary>The worker project: its appsettings*.json and catalog are read from here, as <c>dotnet run</c> does.</summary>
    public static string WorkerProject => Path.Combine(Repository, "services", "Milestones.Worker");

    /// <summary>The Node OTLP receiver, next to this project's sources.</summary>
    public static string OtlpReceiver => Path.Combine(Repository, "tests", "Milestones.Telemetry.Tests", "otlp-receiver");

    /// <summary>
    /// The worker's own build output, in the configuration these tests were built in (bin/Debug or bin/Release): the
    /// project reference builds it first.
    /// </summary>
    public static string WorkerBinary
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var path = Path.Combine(WorkerProject, "bin", configuration, "net10.0", "Milestones.Worker.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"The worker is not built at {path}", path);
        }
    }

    static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Milestones.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException($"No Milestones.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>A fresh SQLite file in the temp directory.</summary>
    public static string NewDatabase() => Path.Combine(Path.GetTempPath(), "milestones-telemetry-tests", $"{Guid.NewGuid():N}.db");
}
