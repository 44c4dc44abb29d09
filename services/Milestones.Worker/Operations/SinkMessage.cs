using System.Globalization;
using System.Text;
using System.Text.Json;
using Milestones.Worker.Messaging;
using RabbitMQ.Client;

namespace Milestones.Worker.Operations;

/// <summary>
/// One message of a sink queue as the ops commands show it: what it is about (event id and project, read from the
/// body, raw JSON or MassTransit's envelope), why it was set aside (<c>Milestones-Rejection-Reason</c>, else
/// MassTransit's fault headers, else the broker's <c>x-death</c>), when, and how many times it was tried.
/// </summary>
public sealed record SinkMessage(
    string Queue,
    int Position,
    Guid? EventId,
    string? ProjectId,
    string Reason,
    string? Detail,
    DateTimeOffset? At,
    int Attempts,
    string? Publisher,
    string? MessageId,
    string? DeadLetteredFrom)
{
    /// <summary>Headers that describe the failure, not the message: dropped when the message goes back to the input.</summary>
    public static bool IsFailureHeader(string name) =>
        name.StartsWith("MT-Fault-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("MT-Host-", StringComparison.OrdinalIgnoreCase)
        || name.Equals("MT-Reason", StringComparison.OrdinalIgnoreCase)
        || name.Equals("MT-Redelivery-Count", StringComparison.OrdinalIgnoreCase)
        || name.Equals(MilestonesHeaders.RejectionReason, StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("x-death", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("x-first-death-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("x-last-death-", StringComparison.OrdinalIgnoreCase)
        || IsBrokerCounter(name);

    /// <summary>Counters the broker sets on a redelivery from this very queue: a put-back copy starts without them.</summary>
    public static bool IsBrokerCounter(string name) =>
        name.Equals("x-delivery-count", StringComparison.OrdinalIgnoreCase) || name.Equals("x-acquired-count", StringComparison.OrdinalIgnoreCase);

    public static SinkMessage Read(string queue, int position, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var headers = properties.Headers ?? new Dictionary<string, object?>();
        var (eventId, projectId) = ReadBody(body.Span);
        var death = FirstDeath(headers);
        var deadFrom = death is null ? null : Text(Get(death, "queue"));
        var reason = Text(Get(headers, MilestonesHeaders.RejectionReason))
            ?? (death is not null ? $"dead-lettered:{Text(Get(death, "reason")) ?? "unknown"}" : null)
            ?? (queue.EndsWith("_skipped", StringComparison.Ordinal) ? "skipped" : null)
            ?? (Text(Get(headers, "MT-Reason")) is { } mt ? mt : "unknown");
        var detail = Text(Get(headers, "MT-Fault-Message"));
        var at = ParseTime(Text(Get(headers, "MT-Fault-Timestamp")))
            ?? (Get(death, "time") is AmqpTimestamp deathTime ? DateTimeOffset.FromUnixTimeSeconds(deathTime.UnixTime) : (DateTimeOffset?)null)
            ?? (properties.IsTimestampPresent() ? DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime) : (DateTimeOffset?)null);
        var attempts = death is not null
            ? Number(Get(death, "count")) ?? 1
            : (Number(Get(headers, "MT-Fault-RetryCount")) ?? 0) + 1 + (Number(Get(headers, "MT-Redelivery-Count")) ?? 0);
        return new SinkMessage(queue, position, eventId, projectId, reason, detail, at, (int)attempts,
            properties.IsUserIdPresent() ? properties.UserId : null, properties.MessageId, deadFrom);
    }

    /// <summary>Event id and project from a raw JSON body or from MassTransit's envelope (its <c>message</c>); null when unreadable.</summary>
    static (Guid?, string?) ReadBody(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("message", out var envelope) && envelope.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("messageType", out _))
            {
                root = envelope;
            }
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }
            Guid? eventId = Property(root, "eventId") is { ValueKind: JsonValueKind.String } id && Guid.TryParse(id.GetString(), out var g) ? g : null;
            var project = Property(root, "projectId") is { ValueKind: JsonValueKind.String } p ? p.GetString() : null;
            return (eventId, project);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    static JsonElement? Property(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }
        return null;
    }

    static object? Get(IDictionary<string, object?>? values, string key) => values is not null && values.TryGetValue(key, out var value) ? value : null;

    static IDictionary<string, object?>? FirstDeath(IDictionary<string, object?> headers) =>
        Get(headers, "x-death") is IList<object?> { Count: > 0 } deaths ? deaths[0] as IDictionary<string, object?> : null;

    internal static string? Text(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string s => s,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    static long? Number(object? value) => value switch
    {
        int i => i,
        long l => l,
        short s => s,
        byte b => b,
        byte[] or string => long.TryParse(Text(value), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null,
        _ => null,
    };

    static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
