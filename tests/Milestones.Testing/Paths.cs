namespace Milestones.Testing;

/// <summary>
/// Where things are in the repository, found from the calling assembly's own build output. Needs nothing of xunit, so
/// the benchmark compiles this file in too.
/// </summary>
public static class Paths
{
    /// <summary>The repository root: the nearest ancestor of the build output that holds Milestones.sln.</summary>
    public static string Repository { get; } = FindRepository();

    /// <summary>A path under the repository root, given with forward slashes.</summary>
    public static string PathOf(string relative) =>
        Path.Combine([Repository, .. relative.Split('/', StringSplitOptions.RemoveEmptyEntries)]);

    /// <summary>The worker project: its appsettings*.json and catalog are read from here, as <c>dotnet run</c> does.</summary>
    public static string WorkerProject => Path.Combine(Repository, "services", "Milestones.Worker");

    /// <summary>
    /// The worker's build output in the configuration and framework the caller was built in (bin/Release/net10.0): a
    /// project reference builds it first.
    /// </summary>
    public static string WorkerDirectory { get; } = Path.Combine(WorkerProject, "bin", Configuration, Framework);

    public static string WorkerDll => Path.Combine(WorkerDirectory, "Milestones.Worker.dll");

    /// <summary><see cref="WorkerDll"/>, or an exception saying it is not built.</summary>
    public static string BuiltWorkerDll() =>
        File.Exists(WorkerDll) ? WorkerDll : throw new FileNotFoundException($"The worker is not built at {WorkerDll}", WorkerDll);

    static DirectoryInfo Output => new(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));

    static string Framework => Output.Name;

    static string Configuration => Output.Parent?.Name ?? "Debug";

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

    /// <summary>A fresh directory for one test's files, removed when disposed.</summary>
    public static TempDirectory NewTempDirectory() => new();

    /// <summary>A fresh SQLite file name in the temp directory (the directory is created when the store opens it).</summary>
    public static string NewDatabase() => Path.Combine(Path.GetTempPath(), "milestones-tests", $"{Guid.NewGuid():N}.db");
}

/// <summary>A directory of one test's own.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>
    /// On tmpfs where there is one: a killed process loses nothing the kernel already has, so the crash tests stay
    /// honest, and the store's fsync per commit costs nothing, so they stay quick.
    /// </summary>
    public string Path { get; } = Directory.Exists("/dev/shm")
        ? Directory.CreateDirectory(System.IO.Path.Combine("/dev/shm", $"milestones-it-{Guid.NewGuid():N}")).FullName
        : Directory.CreateTempSubdirectory("milestones-it-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A worker process that is still being reaped may hold the file for a moment; the OS cleans /tmp.
        }
    }
}
