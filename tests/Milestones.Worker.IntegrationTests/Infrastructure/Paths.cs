namespace Milestones.Worker.IntegrationTests.Infrastructure;

/// <summary>Where things are in the repository, found from the test assembly's own build output.</summary>
public static class Paths
{
    /// <summary>The repository root: the directory above the test output that holds Milestones.sln.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The worker's build output (built by this project's reference), in the same configuration as the tests.</summary>
    public static string WorkerDirectory { get; } = Path.Combine(RepositoryRoot, "services", "Milestones.Worker", "bin", Configuration, "net10.0");

    public static string WorkerDll => Path.Combine(WorkerDirectory, "Milestones.Worker.dll");

    static string Configuration =>
        AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar) is var parts && Array.LastIndexOf(parts, "bin") is var i and >= 0 && i + 1 < parts.Length
            ? parts[i + 1]
            : "Debug";

    static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Milestones.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"Milestones.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>A fresh directory for one test's store file, removed when disposed.</summary>
    public static TempDirectory NewTempDirectory() => new();
}

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
