using MassTransit;

namespace Milestones.Worker.Testing;

/// <summary>
/// TEST ONLY. The switches of the <c>Testing</c> section (<see cref="TestingOptions"/>) make a worker process do what
/// nothing in the service can be made to do on purpose, for the crash and restart tests: crash on a given message
/// (<see cref="CrashOnNoteFilter"/>). All are off unless set, and the host refuses to start with any of them set in the
/// Production environment (the tests run their worker processes in an environment named <c>Testing</c>).
/// </summary>
public static class TestingSwitches
{
    /// <summary>Binds <see cref="TestingOptions"/>; throws at start when a switch is set in the Production environment.</summary>
    public static IHostApplicationBuilder AddTestingSwitches(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var key in new[] { CrashOnNoteFilter.ConfigurationKey, CrashOnNoteFilter.AfterRecordingConfigurationKey })
        {
            if (!string.IsNullOrEmpty(builder.Configuration[key]) && builder.Environment.IsProduction())
            {
                throw new InvalidOperationException($"{key} is a test switch; it is refused in the Production environment.");
            }
        }
        builder.Services.AddOptions<TestingOptions>().BindConfiguration(TestingOptions.SectionName);
        return builder;
    }

    /// <summary>On an input endpoint: the crash filters of the switches that are set; none when all are off.</summary>
    public static void UseTestingSwitches(this IReceiveEndpointConfigurator endpoint, TestingOptions testing)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(testing);
        if (!string.IsNullOrEmpty(testing.CrashOnNote))
        {
            endpoint.UseFilter(new CrashOnNoteFilter(testing.CrashOnNote, afterRecording: false));
        }
        if (!string.IsNullOrEmpty(testing.CrashAfterRecordingNote))
        {
            endpoint.UseFilter(new CrashOnNoteFilter(testing.CrashAfterRecordingNote, afterRecording: true));
        }
    }
}
