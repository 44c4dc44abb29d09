using System.Text.RegularExpressions;

namespace Milestones.Domain.Catalog;

static partial class CatalogValidator
{
    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();

    /// <summary>Longest project id accepted, here and on the wire.</summary>
    public const int MaxIdLength = 64;

    /// <summary>True when the id could be a catalog id: an ASCII slug of at most <see cref="MaxIdLength"/> characters.</summary>
    public static bool IsSlug(string? id) => !string.IsNullOrWhiteSpace(id) && id.Length <= MaxIdLength && SlugPattern().IsMatch(id);

    public static List<string> Validate(IReadOnlyList<ProjectDefinition> projects)
    {
        var errors = new List<string>();
        if (projects.Count == 0)
        {
            errors.Add("the catalog has no projects");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < projects.Count; i++)
        {
            var p = projects[i];
            var name = $"project #{i + 1} '{p.Id}'";
            if (string.IsNullOrWhiteSpace(p.Id) || p.Id.Length > MaxIdLength || !SlugPattern().IsMatch(p.Id))
            {
                errors.Add($"{name}: id must be an ASCII slug (a-z, 0-9, '-'), at most {MaxIdLength} characters");
            }
            else if (!seen.Add(p.Id))
            {
                errors.Add($"{name}: duplicate id '{p.Id}'");
            }
            if (string.IsNullOrWhiteSpace(p.NameZh) || string.IsNullOrWhiteSpace(p.NameEn) || string.IsNullOrWhiteSpace(p.Area))
            {
                errors.Add($"{name}: nameZh, nameEn and area are required");
            }
            ValidatePlan(p, name, errors);
        }
        return errors;
    }

    public static List<string> ValidateSources(IReadOnlyList<SourceDefinition> sources, IReadOnlyList<ProjectDefinition> projects)
    {
        var errors = new List<string>();
        var projectIds = projects.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < sources.Count; i++)
        {
            var s = sources[i];
            var name = $"source #{i + 1} '{s.Id}'";
            if (string.IsNullOrWhiteSpace(s.Id) || s.Id.Length > MaxIdLength || !SlugPattern().IsMatch(s.Id))
            {
                errors.Add($"{name}: id must be an ASCII slug (a-z, 0-9, '-'), at most {MaxIdLength} characters: it is a broker user name");
            }
            else if (!seen.Add(s.Id))
            {
                errors.Add($"{name}: duplicate id '{s.Id}'");
            }
            if (string.IsNullOrWhiteSpace(s.Name))
            {
                errors.Add($"{name}: name is required");
            }
            foreach (var project in s.Projects.Where(p => !projectIds.Contains(p)))
            {
                errors.Add($"{name}: project '{project}' is not in the catalog");
            }
            foreach (var role in s.Roles.Where(r => !SourceRoles.All.Contains(r, StringComparer.Ordinal)))
            {
                errors.Add($"{name}: unknown role '{role}' (known: {string.Join(", ", SourceRoles.All)})");
            }
            if (s.Projects.Count == 0 && s.Roles.Count == 0)
            {
                errors.Add($"{name}: it may do nothing; give it projects or a role");
            }
        }
        return errors;
    }

    static void ValidatePlan(ProjectDefinition p, string name, List<string> errors)
    {
        // A district programme (高标准农田 300 亩) has no stages: its plan may be empty when it requires a target instead.
        var requiresTarget = p.Targets is not null && p.Targets.Any(t => t.Required);
        if (p.Plan is null || p.Plan.Milestones is null || (p.Plan.Milestones.Count == 0 && !requiresTarget))
        {
            errors.Add($"{name}: the milestone plan is empty and no target is required");
            return;
        }
        if (p.Plan.Required is null || (p.Plan.Required.Count == 0 && !requiresTarget))
        {
            errors.Add($"{name}: the plan requires no milestone and no target, so completion would mean nothing");
            return;
        }
        if (p.Targets is null || p.Schedule is null || p.Reporters is null || p.Report is null)
        {
            errors.Add($"{name}: targets, schedule, reporters and report may be empty but not null");
            return;
        }
        foreach (var code in p.Plan.Milestones.Where(c => !MilestoneVocabulary.IsKnown(c)))
        {
            errors.Add($"{name}: unknown milestone code '{code}' in plan.milestones");
        }
        if (p.Plan.Milestones.Distinct(StringComparer.Ordinal).Count() != p.Plan.Milestones.Count)
        {
            errors.Add($"{name}: plan.milestones lists a code twice");
        }
        foreach (var code in p.Plan.Required.Where(c => !p.Plan.Applies(c)))
        {
            errors.Add($"{name}: required milestone '{code}' is not in plan.milestones");
        }
        var reportCodes = p.Report.Reached2022.Concat(p.Report.Planned2023).Select(s => s.Milestone).OfType<string>();
        foreach (var code in reportCodes.Where(c => !p.Plan.Applies(c)))
        {
            errors.Add($"{name}: the report extract names milestone '{code}', which is not in plan.milestones");
        }
        foreach (var target in p.Targets.Where(t => string.IsNullOrWhiteSpace(t.Metric) || string.IsNullOrWhiteSpace(t.Unit) || t.Target <= 0))
        {
            errors.Add($"{name}: target '{target.Metric}' needs a metric name, a unit and a positive target");
        }
        if (p.Targets.Select(t => t.Metric).Distinct(StringComparer.Ordinal).Count() != p.Targets.Count)
        {
            errors.Add($"{name}: two targets have the same metric");
        }
        foreach (var item in p.Schedule.Where(s => !p.Plan.Applies(s.Milestone)))
        {
            errors.Add($"{name}: the schedule names milestone '{item.Milestone}', which is not in plan.milestones");
        }
        if (p.Schedule.Select(s => s.Milestone).Distinct(StringComparer.Ordinal).Count() != p.Schedule.Count)
        {
            errors.Add($"{name}: the schedule lists a milestone twice");
        }
        if (p.Revision < 1)
        {
            errors.Add($"{name}: revision must be 1 or more");
        }
    }

    /// <summary>Every source a project's <see cref="ProjectDefinition.Reporters"/> names must be one of the catalog's.</summary>
    public static List<string> ValidateReporters(IReadOnlyList<ProjectDefinition> projects, IReadOnlyList<SourceDefinition> sources)
    {
        var known = sources.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        return projects
            .SelectMany(p => p.Reporters.Where(r => !known.Contains(r)).Select(r => $"project '{p.Id}': reporter '{r}' is not one of the catalog's sources"))
            .ToList();
    }
}
