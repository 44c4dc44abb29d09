using Milestones.Domain;
using Milestones.Domain.Catalog;

namespace Milestones.Storage.Tests.TestData;

/// <summary>A small catalog of made-up projects, so the suite does not depend on the real catalog's plans.</summary>
public static class TestCatalog
{
    public const string Hub = "test-hub";
    public const string Park = "test-park";
    public const string School = "test-school";

    /// <summary>Every project requires the same four milestones; approval is in the plans but not required.</summary>
    public static readonly IReadOnlyList<string> Required =
        [MilestoneVocabulary.ConstructionStarted, MilestoneVocabulary.ToppedOut, MilestoneVocabulary.Completed, MilestoneVocabulary.Opened];

    /// <summary>The source the suite's events come from: the district office, which may report on and correct any project.</summary>
    public const string Source = "test-office";

    public static ProjectCatalog Catalog { get; } = ProjectCatalog.Create([Project(Hub), Project(Park), Project(School)], sources:
    [
        new SourceDefinition { Id = Source, Name = "测试办公室", Roles = [SourceRoles.DistrictOffice] },
    ]);

    public static MilestonePlan Plan => Catalog.Get(Hub).Plan;

    static ProjectDefinition Project(string id) => new()
    {
        Id = id,
        NameZh = $"测试项目 {id}",
        NameEn = $"Test project {id}",
        Area = "测试区",
        ExistsSince = new DateOnly(2020, 1, 1),
        Plan = new MilestonePlan([MilestoneVocabulary.Approved, .. Required], Required),
    };
}
