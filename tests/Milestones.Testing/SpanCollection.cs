using System.Collections;
using System.Diagnostics;

namespace Milestones.Testing;

/// <summary>
/// The collection behind OpenTelemetry's in-memory exporter, safe to read while spans are exported. Every host in
/// the test process listens to the same sources, so tests pick their spans by trace id.
/// </summary>
public sealed class SpanCollection : ICollection<Activity>
{
    readonly List<Activity> spans = [];

    public IReadOnlyList<Activity> Snapshot()
    {
        lock (spans)
        {
            return [.. spans];
        }
    }

    public IReadOnlyList<Activity> InTrace(ActivityTraceId traceId) => Snapshot().Where(s => s.TraceId == traceId).ToList();

    public void Add(Activity item)
    {
        lock (spans)
        {
            spans.Add(item);
        }
    }

    public void Clear()
    {
        lock (spans)
        {
            spans.Clear();
        }
    }

    public bool Contains(Activity item) => Snapshot().Contains(item);

    public void CopyTo(Activity[] array, int arrayIndex) => Snapshot().ToList().CopyTo(array, arrayIndex);

    public bool Remove(Activity item)
    {
        lock (spans)
        {
            return spans.Remove(item);
        }
    }

    public int Count => Snapshot().Count;

    public bool IsReadOnly => false;

    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
