using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Milestones.Contracts;
using Milestones.Domain.Catalog;
using RabbitMQ.Client;

namespace Milestones.Benchmarks;

/// <summary>One message to publish: a <see cref="MilestoneReached"/> in MassTransit's envelope, as a .NET publisher sends it.</summary>
public sealed record OutgoingMessage(Guid EventId, string ProjectId, string MilestoneCode, byte[] Body, int PayloadBytes, BasicProperties Properties);

/// <summary>
/// Realistic, valid <see cref="MilestoneReached"/> events over the catalog's projects and their plan milestones: every one is
/// applied (dates inside the project's life, known source systems, a note and an evidence link), each with its own event id.
/// </summary>
public sealed class Workload(ProjectCatalog catalog, int seed)
{
    public const string ContentType = "application/vnd.masstransit+json";

    static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };
    static readonly string MessageType = $"urn:message:{WireNames.MilestoneReachedType}";
    static readonly string HostMachine = Environment.MachineName;
    static readonly int ProcessId = Environment.ProcessId;

    readonly Random random = new(seed);
    readonly DateTimeOffset now = DateTimeOffset.UtcNow;
    long sequence;

    public ProjectCatalog Catalog { get; } = catalog;

    // The programmes measured by a target alone (no milestone in their plan) get no milestone reports.
    readonly List<ProjectDefinition> reportable = catalog.Projects.Where(p => p.Plan.Milestones.Count > 0).ToList();

    /// <summary>The next event, round-robin over the projects that have milestones, a random milestone of the project's plan.</summary>
    public OutgoingMessage Next()
    {
        var project = reportable[(int)(sequence % reportable.Count)];
        return For(project, project.Plan.Milestones[random.Next(project.Plan.Milestones.Count)]);
    }

    /// <summary>An event for this project and milestone, with a fresh event id.</summary>
    public OutgoingMessage For(ProjectDefinition project, string milestoneCode)
    {
        ArgumentNullException.ThrowIfNull(project);
        var n = ++sequence;
        var eventId = Guid.NewGuid();
        var messageId = Guid.NewGuid();
        // Inside the project's life and in the past, so that validation accepts it; reported a few days later.
        var lifetimeDays = Math.Max(1, (int)(now - project.ExistsSinceUtc).TotalDays - 40);
        var occurredAt = project.ExistsSinceUtc.AddDays(random.Next(lifetimeDays)).AddMinutes(random.Next(24 * 60));
        var reportedAt = occurredAt.AddDays(1 + random.Next(30)).AddMinutes(random.Next(600));
        // A catalog source allowed for the project, which is also the broker identity (AMQP user_id) the worker requires.
        var allowed = Catalog.Sources.Where(s => s.MayReport(project)).ToList();
        var source = allowed[random.Next(allowed.Count)].Id;

        var buffer = new ArrayBufferWriter<byte>(1400);
        int payloadStart, payloadEnd;
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("messageId", messageId);
            json.WriteString("conversationId", Guid.NewGuid());
            json.WriteString("sourceAddress", $"rabbitmq://localhost/{HostMachine}_Publisher_bus_{ProcessId}");
            json.WriteString("destinationAddress", $"rabbitmq://localhost/{WireNames.MilestoneReachedExchange}");
            json.WriteStartArray("messageType");
            json.WriteStringValue(MessageType);
            json.WriteEndArray();
            json.WritePropertyName("message");
            json.Flush();
            payloadStart = buffer.WrittenCount;
            json.WriteStartObject();
            json.WriteString("eventId", eventId);
            json.WriteString("projectId", project.Id);
            json.WriteString("milestoneCode", milestoneCode);
            json.WriteString("occurredAt", occurredAt);
            json.WriteString("reportedAt", reportedAt);
            json.WriteString("sourceSystem", source);
            json.WriteString("note", $"{project.NameZh}：{MilestoneNote(milestoneCode)}，第{n % 997}期进度报告");
            json.WriteString("evidenceUrl", $"https://www.bjft.gov.cn/progress/{project.Id}/{n.ToString(CultureInfo.InvariantCulture)}");
            json.WriteEndObject();
            json.Flush();
            payloadEnd = buffer.WrittenCount;
            json.WriteString("sentTime", now);
            json.WriteStartObject("headers");
            json.WriteEndObject();
            json.WriteStartObject("host");
            json.WriteString("machineName", HostMachine);
            json.WriteString("processName", "Milestones.Benchmarks");
            json.WriteNumber("processId", ProcessId);
            json.WriteString("assembly", "Milestones.Benchmarks");
            json.WriteString("assemblyVersion", "1.0.0.0");
            json.WriteString("frameworkVersion", Environment.Version.ToString());
            json.WriteString("massTransitVersion", "8.5.12.0");
            json.WriteString("operatingSystemVersion", Environment.OSVersion.ToString());
            json.WriteEndObject();
            json.WriteEndObject();
        }
        var properties = new BasicProperties
        {
            Persistent = true,
            ContentType = ContentType,
            MessageId = messageId.ToString(),
            UserId = source,
        };
        return new OutgoingMessage(eventId, project.Id, milestoneCode, buffer.WrittenSpan.ToArray(), payloadEnd - payloadStart, properties);
    }

    static string MilestoneNote(string code) => code switch
    {
        "plan-approved" => "规划方案获批",
        "design-completed" => "规划设计方案完成",
        "land-prepared" => "土地整理完成",
        "construction-started" => "主体开工",
        "topped-out" => "主体结构封顶",
        "completed" => "工程竣工",
        "opened" => "开通运营",
        _ => code,
    };
}
