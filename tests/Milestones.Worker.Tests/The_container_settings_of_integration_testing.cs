using System.ComponentModel;
using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Milestones.ServiceDefaults;
using Milestones.Storage.Sqlite;
using Milestones.Worker.Messaging;
using Milestones.Worker.Outbox;

namespace Milestones.Worker.Tests;

/// <summary>
/// docs/integration-testing.md tells a publisher how to run the image beside its own RabbitMQ. No container engine runs
/// here, so this checks the part that can drift without one: every variable of its compose example is one the worker
/// reads, and its value parses.
/// </summary>
public sealed class The_container_settings_of_integration_testing
{
    /// <summary>The sections the worker binds, and the options type each binds to (as in ApplicationServicesExtensions.cs and the stores' extensions).</summary>
    static readonly Dictionary<string, Type> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        [MessagingOptions.SectionName] = typeof(MessagingOptions),
        ["RabbitMqTransport"] = typeof(RabbitMqTransportOptions),
        [StorageOptions.SectionName] = typeof(StorageOptions),
        [SqliteStoreOptions.SectionName] = typeof(SqliteStoreOptions),
        [CatalogOptions.SectionName] = typeof(CatalogOptions),
        [OutboxOptions.SectionName] = typeof(OutboxOptions),
        [TelemetryOptions.SectionName] = typeof(TelemetryOptions),
        [HealthOptions.SectionName] = typeof(HealthOptions),
    };

    /// <summary>Read by the host itself, not by an options type.</summary>
    static readonly string[] HostVariables = ["ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT"];

    [Fact]
    public void Every_variable_of_the_compose_example_is_read_by_the_worker_and_parses()
    {
        var environment = ComposeEnvironment();
        Assert.Contains("Messaging__Transport", environment.Keys);
        Assert.Contains("Storage__Sqlite__Path", environment.Keys);
        foreach (var (variable, value) in environment)
        {
            if (HostVariables.Contains(variable))
            {
                Assert.Equal("Development", value);
                Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "appsettings.Development.json")));
                continue;
            }
            var key = variable.Replace("__", ":", StringComparison.Ordinal);
            var section = Sections.Keys.Where(s => key.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase)).MaxBy(s => s.Length);
            Assert.True(section is not null, $"{variable}: no section of the worker's options");
            var name = key[(section.Length + 1)..];
            var property = Sections[section].GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            Assert.True(property is { CanWrite: true }, $"{variable}: {Sections[section].Name} has no settable property '{name}'");
            if (value.StartsWith("${", StringComparison.Ordinal))
            {
                continue;   // a secret the reader supplies
            }
            var bound = new ConfigurationBuilder().AddInMemoryCollection([new(key, value)]).Build().GetSection(section).Get(Sections[section]);
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            Assert.Equal(TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value), property.GetValue(bound));
        }
    }

    /// <summary>The <c>environment:</c> of the <c>milestones:</c> service in the document's compose example.</summary>
    static Dictionary<string, string> ComposeEnvironment()
    {
        var lines = File.ReadAllLines(Paths.PathOf("docs/integration-testing.md"));
        var start = Array.FindIndex(lines, l => l.TrimEnd() == "  milestones:");
        Assert.True(start >= 0, "the compose example has no 'milestones' service");
        var env = Array.FindIndex(lines, start, l => l.TrimEnd() == "    environment:");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(env + 1).TakeWhile(l => l.StartsWith("      ", StringComparison.Ordinal)))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            result.Add(line[..colon].Trim(), line[(colon + 1)..].Trim().Trim('"'));
        }
        return result;
    }
}
