namespace Milestones.Worker.Messaging;

/// <summary>Test-only switches, bound from <c>Testing</c>. All off by default; refused in the Production environment.</summary>
public sealed class TestingOptions
{
    public const string SectionName = "Testing";

    /// <summary>See <see cref="CrashOnNoteFilter"/>. Default: none.</summary>
    public string? CrashOnNote { get; set; }

    /// <summary>See <see cref="CrashOnNoteFilter"/>. Default: none.</summary>
    public string? CrashAfterRecordingNote { get; set; }
}
