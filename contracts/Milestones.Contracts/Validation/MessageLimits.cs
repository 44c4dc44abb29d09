namespace Milestones.Contracts.Validation;

/// <summary>The service's bounds on what a message may carry; the defaults are the service's defaults.</summary>
public sealed record MessageLimits
{
    /// <summary>Longest note (and retraction reason) accepted, in characters. Default 2 000.</summary>
    public int MaxNoteLength { get; init; } = 2_000;

    /// <summary>Longest evidence link accepted. Default 2 048.</summary>
    public int MaxEvidenceUrlLength { get; init; } = 2_048;

    /// <summary>Longest project id a catalog entry may have. Default 64.</summary>
    public int MaxProjectIdLength { get; init; } = 64;

    /// <summary>How far in the future a message may be dated, to allow for clock skew. Default 5 minutes.</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The service's defaults.</summary>
    public static MessageLimits Default { get; } = new();
}
