namespace Milestones.Deploy.Tests;

/// <summary>The kustomize overlays under deploy/k8s/overlays, as theory data.</summary>
public static class Overlays
{
    public static TheoryData<string> All => ["dev", "prod"];

    public static readonly IReadOnlyDictionary<string, string> Namespaces = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["dev"] = "milestones-dev",
        ["prod"] = "milestones",
    };
}
