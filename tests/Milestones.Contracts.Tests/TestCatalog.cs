using Milestones.Contracts.Validation;

namespace Milestones.Contracts.Tests;

/// <summary>The checked-in catalog, read as a publisher would read a copy of it.</summary>
static class TestCatalog
{
    public static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "catalog", "fengtai-2023.json");

    public static CatalogSnapshot Snapshot { get; } = Load();

    static CatalogSnapshot Load()
    {
        using var stream = File.OpenRead(Path);
        return CatalogSnapshot.Load(stream);
    }
}
