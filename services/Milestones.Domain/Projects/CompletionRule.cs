using Milestones.Domain.Catalog;

namespace Milestones.Domain.Projects;

/// <summary>
/// What a project needs to be complete: every milestone its plan requires reached, and every target it requires met.
/// A plan alone converts to a rule without targets.
/// </summary>
public sealed record CompletionRule(MilestonePlan Plan, IReadOnlyList<QuantitativeTarget> Targets)
{
    public static implicit operator CompletionRule(MilestonePlan plan) => new(plan, []);

    /// <summary>The project's rule as its catalog entry says.</summary>
    public static CompletionRule Of(ProjectDefinition project)
    {
        ArgumentNullException.ThrowIfNull(project);
        return new(project.Plan, project.Targets);
    }

    public IEnumerable<QuantitativeTarget> RequiredTargets => Targets.Where(t => t.Required);

    public QuantitativeTarget? TargetOf(string metric) => Targets.FirstOrDefault(t => string.Equals(t.Metric, metric, StringComparison.Ordinal));
}
