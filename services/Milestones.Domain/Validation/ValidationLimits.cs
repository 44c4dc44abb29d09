namespace Milestones.Domain.Validation;

/// <summary>Bounds on what an event may carry.</summary>
public sealed record ValidationLimits
{
    /// <summary>Longest note accepted, in characters. Default 2 000.</summary>
    public int MaxNoteLength { get; init; } = 2_000;

    /// <summary>Longest evidence link accepted. Default 2 048.</summary>
    public int MaxEvidenceUrlLength { get; init; } = 2_048;

    /// <summary>Longest source system name accepted. Default 100.</summary>
    public int MaxSourceSystemLength { get; init; } = 100;

    /// <summary>How far in the future an event may be dated, to allow for clock skew. Default 5 minutes.</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(5);

    public static ValidationLimits Default { get; } = new();
}
