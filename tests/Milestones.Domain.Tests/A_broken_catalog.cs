using System.Text;
using Milestones.Domain.Catalog;

namespace Milestones.Domain.Tests;

public class A_broken_catalog
{
    const string Good = """
        { "id": "lize-city-terminal", "nameZh": "丽泽城市航站楼", "nameEn": "Lize City Air Terminal", "area": "丽泽金融商务区",
          "existsSince": "2015-01-01", "plan": { "milestones": ["construction-started", "opened"], "required": ["opened"] } }
        """;

    static CatalogException Load(params string[] projects)
    {
        var json = $$"""{ "projects": [ {{string.Join(",", projects)}} ] }""";
        return Assert.Throws<CatalogException>(() => ProjectCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(json))));
    }

    [Fact]
    public void Is_refused_for_a_duplicate_id_naming_the_entry()
    {
        var error = Load(Good, Good);
        Assert.Contains(error.Errors, e => e.Contains("project #2 'lize-city-terminal'", StringComparison.Ordinal) && e.Contains("duplicate id", StringComparison.Ordinal));
    }

    [Fact]
    public void Is_refused_for_an_unknown_milestone_code_naming_the_entry()
    {
        var error = Load(Good.Replace("\"construction-started\"", "\"groundbreaking\"", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("'lize-city-terminal'", StringComparison.Ordinal) && e.Contains("unknown milestone code 'groundbreaking'", StringComparison.Ordinal));
    }

    [Fact]
    public void Is_refused_for_an_empty_plan_naming_the_entry()
    {
        var error = Load(Good.Replace("""["construction-started", "opened"]""", "[]", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("'lize-city-terminal'", StringComparison.Ordinal) && e.Contains("plan is empty", StringComparison.Ordinal));
    }

    [Fact]
    public void Is_refused_when_a_required_milestone_is_not_in_the_plan()
    {
        var error = Load(Good.Replace("""["opened"]""", """["topped-out"]""", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("required milestone 'topped-out' is not in plan.milestones", StringComparison.Ordinal));
    }

    [Fact]
    public void Is_refused_for_an_id_that_is_not_a_slug() =>
        Assert.Contains(Load(Good.Replace("\"lize-city-terminal\"", "\"Lize Terminal\"", StringComparison.Ordinal)).Errors,
            e => e.Contains("ASCII slug", StringComparison.Ordinal));

    [Fact]
    public void Is_refused_for_a_field_the_schema_does_not_have() =>
        Assert.Contains(Load(Good.Replace("\"area\"", "\"areaa\"", StringComparison.Ordinal)).Errors,
            e => e.Contains("not valid JSON for its schema", StringComparison.Ordinal));
    const string Programme = """
        { "id": "cultural-events-2023", "nameZh": "全年文化活动", "nameEn": "Cultural events", "area": "丰台区",
          "existsSince": "2023-01-01", "plan": { "milestones": [], "required": [] },
          "targets": [ { "metric": "cultural-events", "unit": "events", "target": 1800, "required": true } ] }
        """;

    [Fact]
    public void Accepts_a_programme_with_no_stages_when_it_requires_a_target()
    {
        var catalog = ProjectCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes($$"""{ "projects": [ {{Good}}, {{Programme}} ] }""")));
        Assert.Single(catalog.Get("cultural-events-2023").RequiredTargets);
    }

    [Fact]
    public void Is_refused_for_a_programme_whose_target_is_not_required() =>
        Assert.Contains(Load(Programme.Replace("\"required\": true", "\"required\": false", StringComparison.Ordinal)).Errors,
            e => e.Contains("no target is required", StringComparison.Ordinal));

    [Fact]
    public void Is_refused_for_two_targets_of_one_metric() =>
        Assert.Contains(Load(Programme.Replace("""{ "metric": "cultural-events", "unit": "events", "target": 1800, "required": true }""",
                """{ "metric": "cultural-events", "unit": "events", "target": 1800, "required": true }, { "metric": "cultural-events", "unit": "场", "target": 1, "required": false }""",
                StringComparison.Ordinal)).Errors,
            e => e.Contains("two targets have the same metric", StringComparison.Ordinal));

    [Fact]
    public void Is_refused_for_a_due_date_of_a_milestone_outside_the_plan() =>
        Assert.Contains(Load(Good.Replace("\"existsSince\"", """ "schedule": [ { "milestone": "topped-out", "due": "2023-12-31" } ], "existsSince" """, StringComparison.Ordinal)).Errors,
            e => e.Contains("schedule names milestone 'topped-out'", StringComparison.Ordinal));

    [Fact]
    public void Is_refused_for_a_reporter_that_is_not_a_source() =>
        Assert.Contains(Load(Good.Replace("\"existsSince\"", """ "reporters": [ "nobody" ], "existsSince" """, StringComparison.Ordinal)).Errors,
            e => e.Contains("reporter 'nobody' is not one of the catalog's sources", StringComparison.Ordinal));
}
