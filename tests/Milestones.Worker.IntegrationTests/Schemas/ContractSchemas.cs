using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using System.Xml.Linq;
using MassTransit;
using MassTransit.Serialization;
using Milestones.Contracts;

namespace Milestones.Worker.IntegrationTests.Schemas;

/// <summary>
/// Generates the JSON Schema of every message contract with System.Text.Json's exporter: property names as they are
/// on the wire (camelCase), required members, nullability, formats, and the contracts' XML documentation as
/// descriptions. The checked-in files under contracts/Milestones.Contracts/schemas are its output.
/// </summary>
public static class ContractSchemas
{
    public static string Directory => Path.Combine(Paths.Repository, "contracts", "Milestones.Contracts", "schemas");

    /// <summary>Every message type of the contracts assembly: the types whose wire name is pinned with [MessageUrn].</summary>
    public static IReadOnlyList<Type> Messages { get; } = typeof(MilestoneReached).Assembly.GetExportedTypes()
        .Where(t => t.GetCustomAttribute<MessageUrnAttribute>() is not null)
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToList();

    public static string FileName(Type message) => $"{message.Name}.schema.json";

    /// <summary>MassTransit's own serializer settings (what is on the wire), strict about nullability and required members.</summary>
    static readonly JsonSerializerOptions Wire = new(SystemTextJsonMessageSerializer.Options)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    static readonly JsonSerializerOptions Output = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Generate(Type message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var docs = Documentation.Load(message.Assembly);
        var schema = Wire.GetJsonSchemaAsNode(message, new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (context, node) =>
            {
                if (node is JsonObject obj && docs.Describe(context) is { } description)
                {
                    obj.Insert(0, "description", description);
                }
                return node;
            },
        }).AsObject();

        var urn = message.GetCustomAttribute<MessageUrnAttribute>()!.Urn.ToString();
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = urn,
            ["title"] = message.Name,
        };
        foreach (var (key, value) in schema.ToList())
        {
            schema.Remove(key);
            root[key] = value;
        }
        return root.ToJsonString(Output).ReplaceLineEndings("\n") + "\n";
    }

    /// <summary>The &lt;summary&gt; and &lt;param&gt; texts of the contracts' XML documentation file.</summary>
    sealed class Documentation(Dictionary<string, XElement> members)
    {
        public static Documentation Load(Assembly assembly)
        {
            var path = Path.ChangeExtension(assembly.Location, ".xml");
            var members = File.Exists(path)
                ? XDocument.Load(path).Descendants("member").Where(m => m.Attribute("name") is not null).ToDictionary(m => m.Attribute("name")!.Value)
                : throw new FileNotFoundException("The contracts' XML documentation is missing (GenerateDocumentationFile)", path);
            return new Documentation(members);
        }

        public string? Describe(JsonSchemaExporterContext context)
        {
            if (context.PropertyInfo is { AttributeProvider: PropertyInfo property })
            {
                var type = property.DeclaringType!;
                return Text(members.GetValueOrDefault($"P:{type.FullName}.{property.Name}")?.Element("summary"))
                    ?? Text(members.GetValueOrDefault($"T:{type.FullName}")?.Elements("param").FirstOrDefault(p => p.Attribute("name")?.Value == property.Name));
            }
            return context.PropertyInfo is null && context.Path.Length == 0 || context.TypeInfo.Type.Namespace == typeof(MilestoneReached).Namespace
                ? Text(members.GetValueOrDefault($"T:{context.TypeInfo.Type.FullName}")?.Element("summary"))
                : null;
        }

        static string? Text(XElement? element)
        {
            if (element is null)
            {
                return null;
            }
            var parts = element.Nodes().Select(node => node switch
            {
                XText text => text.Value,
                XElement { Name.LocalName: "see" } see => (see.Attribute("cref")?.Value ?? see.Attribute("langword")?.Value ?? string.Empty).Split('.', ':').Last(),
                XElement other => other.Value,
                _ => string.Empty,
            });
            return string.Join(' ', string.Concat(parts).Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        }
    }
}
