namespace Milestones.Domain.Storage;

/// <summary>Which end of a project's timeline a page starts from.</summary>
public enum TimelineOrder
{
    /// <summary>The earliest event first (when it happened, then when it was recorded, then its id).</summary>
    OldestFirst,

    /// <summary>The latest event first: the exact reverse of <see cref="OldestFirst"/>.</summary>
    NewestFirst,
}

/// <summary>
/// An event's place in its project's timeline: when it happened, when it was recorded, and its id, compared in that
/// order. The id makes the order total, so events that happened and were recorded at the same instant still have a
/// fixed order and a page boundary between them loses and repeats none. Instants compare by their UTC ticks; ids by
/// their canonical text (<c>D</c> format, lower case) compared ordinally, which is also the byte order of a UUID stored
/// in its standard binary form.
/// </summary>
public readonly record struct TimelinePosition(long OccurredAtUtcTicks, long RecordedAtUtcTicks, Guid EventId) : IComparable<TimelinePosition>
{
    public static TimelinePosition Of(EventRecord e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.OccurredAt.UtcTicks, e.RecordedAt.UtcTicks, e.EventId);
    }

    /// <summary>The event id as the stores order it.</summary>
    public string EventIdKey => EventId.ToString("D");

    public int CompareTo(TimelinePosition other)
    {
        var byOccurred = OccurredAtUtcTicks.CompareTo(other.OccurredAtUtcTicks);
        if (byOccurred != 0)
        {
            return byOccurred;
        }
        var byRecorded = RecordedAtUtcTicks.CompareTo(other.RecordedAtUtcTicks);
        return byRecorded != 0 ? byRecorded : string.CompareOrdinal(EventIdKey, other.EventIdKey);
    }

    public static bool operator <(TimelinePosition left, TimelinePosition right) => left.CompareTo(right) < 0;

    public static bool operator >(TimelinePosition left, TimelinePosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(TimelinePosition left, TimelinePosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(TimelinePosition left, TimelinePosition right) => left.CompareTo(right) >= 0;
}

/// <summary>
/// One page of a project's timeline: at most <see cref="Limit"/> events in <see cref="Order"/>, strictly after
/// <see cref="After"/> in that order (from the start when null). A position need not be an event's: a page after it
/// starts with the first event beyond it.
/// </summary>
public sealed record TimelineQuery(TimelineOrder Order, int Limit, TimelinePosition? After = null)
{
    /// <summary>Most events one page may ask for; a store reads one more to tell whether more remain.</summary>
    public const int MaxLimit = 10_000;

    public TimelineQuery Validated()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Limit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Limit, MaxLimit);
        return Enum.IsDefined(Order) ? this : throw new ArgumentOutOfRangeException(nameof(Order), Order, "unknown order");
    }
}

/// <summary>A page of a timeline and, when more events remain beyond it, the position to ask the next page after.</summary>
public sealed record TimelinePage(IReadOnlyList<EventRecord> Events, TimelinePosition? Next)
{
    public static TimelinePage Empty { get; } = new([], null);

    /// <summary>
    /// A page from up to <c>limit + 1</c> events read in order: the first <c>limit</c> are the page, and the extra one,
    /// if it came, says that more remain (the next page starts after the page's last event).
    /// </summary>
    public static TimelinePage FromOneMore(IReadOnlyList<EventRecord> read, int limit)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (read.Count <= limit)
        {
            return new(read, null);
        }
        var page = read.Take(limit).ToList();
        return new(page, TimelinePosition.Of(page[^1]));
    }
}
