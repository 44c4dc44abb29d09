using System.ComponentModel.DataAnnotations;

namespace Milestones.Worker.Schedule;

/// <summary>
/// The schedule watch, bound from <c>Schedule</c>: <code>{ "Schedule": { "Enabled": true, "Interval": "00:01:00" } }</code>
/// </summary>
public sealed class ScheduleOptions
{
    public const string SectionName = "Schedule";

    /// <summary>Whether this replica looks for overdue milestones. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often every project's schedule is checked against the clock. Default 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);
}
