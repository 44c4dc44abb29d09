using System.Diagnostics;
using System.Diagnostics.Metrics;
using Milestones.Contracts;
using Milestones.Domain.Catalog;
using Milestones.Worker.Telemetry;

namespace Milestones.Telemetry.Tests;

/// <summary>
/// Nothing a publisher writes becomes a metric tag or a span attribute as it is: sources and projects are kept to
/// the catalog's (else <c>other</c> / <c>unknown</c>), other strings are clipped. Guards MilestonesTelemetry.SourceTag,
/// ProjectTag, Clip and MilestonesTracing.StartRecord's use of them.
/// </summary>
public class Bounding_what_a_message_puts_in_telemetry
{
    static readonly ProjectCatalog Catalog = ProjectCatalog.LoadFile(Path.Combine(Paths.WorkerProject, "catalog", "fengtai-2023.json"));

    [Fact]
    public void Ten_thousand_invented_sources_add_one_series_and_known_sources_keep_their_own()
    {
        using var meters = new MeterFactory();
        using var telemetry = new MilestonesTelemetry(meters, TimeProvider.System, Catalog);
        var series = new HashSet<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // This test's meter only: hosts that other tests run at the same time record under the same name.
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Meter.Name == MilestonesTelemetry.Name && instrument.Name == "milestones.events.consumed")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                series.Add($"{tag.Key}={tag.Value}");
            }
        });
        listener.Start();

        for (var i = 0; i < 10_000; i++)
        {
            telemetry.Consumed.Add(1, new KeyValuePair<string, object?>(MilestonesTelemetry.SourceSystemTag, telemetry.SourceTag($"source-{i}")));
        }
        foreach (var source in Catalog.Sources)
        {
            telemetry.Consumed.Add(1, new KeyValuePair<string, object?>(MilestonesTelemetry.SourceSystemTag, telemetry.SourceTag(source.Id)));
        }
        telemetry.Consumed.Add(1, new KeyValuePair<string, object?>(MilestonesTelemetry.SourceSystemTag, telemetry.SourceTag(null)));

        var expected = Catalog.Sources.Select(s => $"source_system={s.Id}").Append("source_system=other").ToHashSet();
        Assert.Equal(expected, series);
    }

    [Fact]
    public void Projects_outside_the_catalog_are_unknown_and_strings_are_clipped_without_control_characters()
    {
        using var meters = new MeterFactory();
        using var telemetry = new MilestonesTelemetry(meters, TimeProvider.System, Catalog);

        Assert.Equal("subway-16-south", telemetry.ProjectTag("subway-16-south"));
        Assert.Equal(MilestonesTelemetry.UnknownProject, telemetry.ProjectTag("subway-16-south\n"));
        Assert.Equal(MilestonesTelemetry.UnknownProject, telemetry.ProjectTag(null));
        Assert.Equal(MilestonesTelemetry.OtherSource, new MilestonesTelemetry(meters).SourceTag("metro-operator"));   // no catalog: nothing is known

        var clipped = MilestonesTelemetry.Clip(new string('字', 10_000))!;
        Assert.Equal(MilestonesTelemetry.MaxAttributeLength, clipped.Length);
        Assert.EndsWith("…", clipped, StringComparison.Ordinal);
        Assert.Equal("a?b?c", MilestonesTelemetry.Clip("a\nb\u001bc"));
        Assert.Equal("opened", MilestonesTelemetry.Clip("opened"));
        // Never half a surrogate pair at the cut.
        var emoji = MilestonesTelemetry.Clip(new string('x', 62) + "😀😀😀")!;
        Assert.False(char.IsHighSurrogate(emoji[^2]));
    }

    [Fact]
    public void The_record_span_carries_only_catalog_values_and_clipped_strings()
    {
        using var meters = new MeterFactory();
        using var telemetry = new MilestonesTelemetry(meters, TimeProvider.System, Catalog);
        var spans = new List<Activity>();
        var eventId = Guid.NewGuid();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MilestonesTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            // This test's span only: hosts that other tests run at the same time start spans from the same source.
            ActivityStopped = span =>
            {
                if (Equals(span.GetTagItem(MilestonesTracing.EventIdTag), eventId.ToString()))
                {
                    spans.Add(span);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var hostile = new MilestoneReached
        {
            EventId = eventId,
            ProjectId = "no-such-project-" + new string('p', 5_000),
            MilestoneCode = "opened\r\nforged log line " + new string('m', 5_000),
            OccurredAt = DateTimeOffset.UnixEpoch,
            ReportedAt = DateTimeOffset.UnixEpoch,
            SourceSystem = "attacker-" + Guid.NewGuid(),
        };

        using (MilestonesTracing.StartRecord(hostile, telemetry))
        {
        }

        var span = Assert.Single(spans, s => s.OperationName == MilestonesTracing.RecordSpan);
        Assert.Equal(MilestonesTelemetry.UnknownProject, span.GetTagItem(MilestonesTracing.ProjectIdTag));
        Assert.Equal(MilestonesTelemetry.OtherSource, span.GetTagItem(MilestonesTracing.SourceSystemTag));
        var code = Assert.IsType<string>(span.GetTagItem(MilestonesTracing.MilestoneCodeTag));
        Assert.True(code.Length <= MilestonesTelemetry.MaxAttributeLength);
        Assert.DoesNotContain('\n', code);
        Assert.All(span.TagObjects, tag => Assert.True(tag.Value is not string s || s.Length <= MilestonesTelemetry.MaxAttributeLength, tag.Key));
    }
}
