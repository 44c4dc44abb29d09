namespace Milestones.Worker.Testing;

/// <summary>
/// TEST ONLY: the switches of the <c>Testing</c> section, for the worker's own crash and restart tests
/// (<see cref="TestingSwitches"/>). All off by default; the host refuses to start with one set in the Production environment.
/// </summary>
public sealed class TestingOptions
{
    public const string SectionName = "Testing";

    /// <summary>See <see cref="CrashOnNoteFilter"/>. Default: none.</summary>
    public string? CrashOnNote { get; set; }

    /// <summary>See <see cref="CrashOnNoteFilter"/>. Default: none.</summary>
    public string? CrashAfterRecordingNote { get; set; }
}
