namespace Milestones.Deploy.Tests.Infrastructure;

/// <summary>Paths in the repository under test, found from the test assembly's location.</summary>
public static class Repository
{
    static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The directory holding Milestones.sln.</summary>
    public static string Root => LazyRoot.Value;

    public static string Deploy => Path.Combine(Root, "deploy");

    /// <summary>A path under the repository root, given with forward slashes.</summary>
    public static string PathOf(string relative) =>
        Path.Combine([Root, .. relative.Split('/', StringSplitOptions.RemoveEmptyEntries)]);

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Milestones.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Milestones.sln above {AppContext.BaseDirectory}");
    }
}
