namespace Milestones.Testing;

/// <summary>
/// The private broker that tests/run.sh starts, described by its MILESTONES_TEST_RABBITMQ_* variables. Without them a
/// broker test is skipped with the reason, unless MILESTONES_REQUIRE_BROKER=1 (the test command, CI), where it fails.
/// </summary>
public sealed record BrokerEnvironment(string Host, int Port, string User, string Pass, string? Ctl, string? Start, string? Stop)
{
    public static BrokerEnvironment? Current { get; } = Read();

    static BrokerEnvironment? Read()
    {
        var port = Environment.GetEnvironmentVariable("MILESTONES_TEST_RABBITMQ_PORT");
        if (string.IsNullOrWhiteSpace(port))
        {
            return null;
        }
        return new BrokerEnvironment(
            Environment.GetEnvironmentVariable("MILESTONES_TEST_RABBITMQ_HOST") is { Length: > 0 } host ? host : "127.0.0.1",
            int.Parse(port, System.Globalization.CultureInfo.InvariantCulture),
            Environment.GetEnvironmentVariable("MILESTONES_TEST_RABBITMQ_USER") is { Length: > 0 } user ? user : "guest",
            Environment.GetEnvironmentVariable("MILESTONES_TEST_RABBITMQ_PASS") is { Length: > 0 } pass ? pass : "guest",
            Environment.GetEnvironmentVariable("MILESTONES_TEST_RABBITMQ_CTL"),
            Environment.GetEnvironmentVariable("MILESTONES_TEST_RABBITMQ_START"),
            Environment.GetEnvironmentVariable("MILESTONES_TEST_RABBITMQ_STOP"));
    }

    static bool Required => Environment.GetEnvironmentVariable("MILESTONES_REQUIRE_BROKER") == "1";

    /// <summary>The broker, or a skip (a failure when the broker is required) saying why there is none.</summary>
    public static BrokerEnvironment Require()
    {
        if (Current is { } broker)
        {
            return broker;
        }
        const string why = "No test broker: MILESTONES_TEST_RABBITMQ_PORT is not set. Run tests/run.sh, which starts a private RabbitMQ and sets it.";
        if (Required)
        {
            Assert.Fail(why + " MILESTONES_REQUIRE_BROKER=1, so a missing broker is a failure.");
        }
        Assert.Skip(why);
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>The broker with its control scripts (rabbitmqctl, start, stop), for tests that inspect or restart it.</summary>
    public static BrokerEnvironment RequireControl()
    {
        var broker = Require();
        if (broker.Ctl is null || broker.Start is null || broker.Stop is null)
        {
            const string why = "The test broker's control scripts (MILESTONES_TEST_RABBITMQ_CTL/START/STOP) are not set.";
            if (Required)
            {
                Assert.Fail(why);
            }
            Assert.Skip(why);
        }
        return broker;
    }
}
