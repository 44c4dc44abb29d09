using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Milestones.Deploy.Tests.Infrastructure;

/// <summary>
/// Dotted-path access into rendered objects (<c>spec.template.spec</c>). Missing paths fail with the path and the
/// object's kind and name, so a failed assertion says what was looked for.
/// </summary>
public static class Json
{
    public static JsonNode? At(this JsonNode node, string path)
    {
        JsonNode? current = node;
        foreach (var segment in path.Split('.'))
        {
            current = current is JsonObject o && o.TryGetPropertyValue(segment, out var next) ? next : null;
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    public static JsonNode Req(this JsonNode node, string path) =>
        node.At(path) ?? throw new MissingFieldException($"{Describe(node)} has no {path}");

    public static JsonObject Obj(this JsonNode node, string path) => node.Req(path).AsObject();

    public static JsonArray Arr(this JsonNode node, string path) => node.Req(path).AsArray();

    public static JsonArray ArrOrEmpty(this JsonNode node, string path) => node.At(path) as JsonArray ?? [];

    /// <summary>A scalar as a string (numbers and booleans in their JSON spelling), or null when absent.</summary>
    public static string? Str(this JsonNode node, string path) => node.At(path) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v => v.ToJsonString(),
        var other => throw new InvalidCastException($"{Describe(node)}: {path} is {other.GetValueKind()}, not a scalar"),
    };

    public static long Number(this JsonNode node, string path)
    {
        var value = node.Req(path).AsValue();
        Assert.True(value.GetValueKind() == JsonValueKind.Number, $"{Describe(node)}: {path} must be a number, is {value.ToJsonString()}");
        return value.GetValue<long>();
    }

    public static bool? Bool(this JsonNode node, string path) => node.At(path) is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False
        ? v.GetValue<bool>()
        : null;

    /// <summary>A label value (label keys contain dots, so they cannot be part of a dotted path).</summary>
    public static string? Label(this JsonNode node, string key) =>
        node.At("metadata.labels") is JsonObject labels && labels[key] is JsonValue v ? v.GetValue<string>() : null;

    public static int ParseInt(string text) => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);

    static string Describe(JsonNode node) =>
        node is JsonObject o && o.At("kind") is not null ? $"{o.Str("kind")} {o.Str("metadata.name")}" : $"`{Truncate(node.ToJsonString())}`";

    static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "…";
}
