using System.Diagnostics;

namespace Milestones.Testing;

/// <summary>
/// How every test (and the benchmark) starts the worker as an OS process, as a container starts it: <c>dotnet
/// Milestones.Worker.dll</c> from its build output, that directory as the content root, configured by environment
/// variables only. Nothing of the caller's own configuration leaks in: the variables the worker would read are
/// cleared first, and the caller names what it wants. Needs nothing of xunit, so the benchmark compiles this file in.
/// </summary>
public static class WorkerLaunch
{
    /// <summary>Prefixes of the variables a worker process never inherits (the union of what every launcher cleared).</summary>
    public static IReadOnlyList<string> ClearedPrefixes { get; } =
    [
        "MILESTONES_", "OTEL_", "ASPNETCORE_", "DOTNET_ENVIRONMENT",
        "Messaging__", "Feeds__", "Security__", "Storage__", "RabbitMqTransport__", "MongoDb__", "Outbox__", "Catalog__",
        "Schedule__", "Testing__", "Logging__", "Health__",
    ];

    /// <summary>Removes every inherited variable the worker would read (<see cref="ClearedPrefixes"/>).</summary>
    public static void ClearInherited(IDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        foreach (var key in environment.Keys.Where(k => ClearedPrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList())
        {
            environment.Remove(key);
        }
    }

    /// <summary>
    /// The start of <c>dotnet Milestones.Worker.dll</c> with <paramref name="arguments"/>, in the worker's build output,
    /// output and error redirected, the inherited configuration cleared; <see cref="Set"/> adds the caller's.
    /// </summary>
    public static ProcessStartInfo StartInfo(params string[] arguments)
    {
        var start = ProcessStart.For("dotnet", [Paths.BuiltWorkerDll(), .. arguments], Paths.WorkerDirectory);
        ClearInherited(start.Environment);
        return start;
    }

    /// <summary>
    /// Sets <paramref name="settings"/> as environment variables: a configuration key's ':' becomes '__', as .NET reads
    /// it back; a null value removes the variable.
    /// </summary>
    public static void Set(ProcessStartInfo start, IEnumerable<KeyValuePair<string, string?>> settings)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var (key, value) in settings)
        {
            var name = key.Replace(":", "__", StringComparison.Ordinal);
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }
    }
}
