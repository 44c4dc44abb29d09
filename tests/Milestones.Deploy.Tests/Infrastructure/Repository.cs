namespace Milestones.Deploy.Tests.Infrastructure;

/// <summary>Paths in the repository under test (<see cref="Paths"/> of the shared test library).</summary>
public static class Repository
{
    /// <summary>The directory holding Milestones.sln.</summary>
    public static string Root => Paths.Repository;

    public static string Deploy => Path.Combine(Root, "deploy");

    /// <summary>A path under the repository root, given with forward slashes.</summary>
    public static string PathOf(string relative) => Paths.PathOf(relative);
}
