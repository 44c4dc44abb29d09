using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Milestones.Worker.Tests;

/// <summary>
/// The OpenAPI document the framework generates from the endpoints is checked in as <c>docs/openapi.json</c>, for
/// clients and reviewers. An endpoint changed without the document regenerated fails here; regenerate with
/// <c>MILESTONES_UPDATE_OPENAPI=1 dotnet test tests/Milestones.Worker.Tests --filter The_openapi_document</c>
/// and commit the file.
/// </summary>
public class The_openapi_document
{
    const string HowToRegenerate =
        "Regenerate with: MILESTONES_UPDATE_OPENAPI=1 dotnet test tests/Milestones.Worker.Tests --filter The_openapi_document " +
        "(then review and commit docs/openapi.json).";

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    static string CheckedInPath => Paths.PathOf("docs/openapi.json");

    [Fact]
    public async Task Checked_in_document_matches_the_one_the_framework_generates()
    {
        var generated = await Generate();
        if (Environment.GetEnvironmentVariable("MILESTONES_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(CheckedInPath, generated, Cancel);
        }

        Assert.True(File.Exists(CheckedInPath), $"{CheckedInPath} is missing. {HowToRegenerate}");
        var checkedIn = (await File.ReadAllTextAsync(CheckedInPath, Cancel)).ReplaceLineEndings("\n");
        Assert.True(checkedIn == generated, $"{CheckedInPath} does not match the API. {HowToRegenerate}\nGenerated:\n{generated}");
    }

    [Fact]
    public async Task Describes_the_bearer_scheme_the_timeline_s_parameters_and_its_answers()
    {
        var document = JsonNode.Parse(await Generate())!;

        var scheme = document["components"]!["securitySchemes"]!["Bearer"]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
        Assert.NotNull(document["security"]![0]!["Bearer"]);
        var timeline = document["paths"]!["/projects/{id}/events"]!["get"]!;
        Assert.Equal(["id", "after", "limit", "order"], timeline["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()));
        var responses = timeline["responses"]!.AsObject().Select(r => r.Key).Order(StringComparer.Ordinal);
        Assert.Equal(["200", "304", "400", "401", "404", "429", "500"], responses);
        Assert.EndsWith("/TimelinePageResponse", timeline["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("application/problem+json", timeline["responses"]!["400"]!["content"]!.AsObject().Select(c => c.Key));
    }

    /// <summary>The document as served at <c>/openapi/v1.json</c>, re-indented so that the checked-in file reads well and diffs line by line.</summary>
    static async Task<string> Generate()
    {
        await using var worker = new WorkerFactory();
        await worker.Start();
        var served = await worker.CreateClient().GetStringAsync("/openapi/v1.json", Cancel);
        return JsonNode.Parse(served)!.ToJsonString(Indented).ReplaceLineEndings("\n") + "\n";
    }
}
