using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using Milestones.Domain.Storage;

namespace Milestones.Worker.Api;

/// <summary>
/// The opaque <c>after</c> cursor of the timeline's pages: a position in the timeline (when the event happened, when it
/// was recorded, its id), packed into 33 bytes (a format byte, two big-endian tick counts, the id's 16 bytes in RFC 4122
/// order) and written in base64url. Clients pass back what a <c>next</c> link gave them and never build one.
/// </summary>
public static class TimelineCursor
{
    const byte Format = 1;
    const int Length = 1 + 8 + 8 + 16;

    public static string Encode(TimelinePosition position)
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes[0] = Format;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], position.OccurredAtUtcTicks);
        BinaryPrimitives.WriteInt64BigEndian(bytes[9..], position.RecordedAtUtcTicks);
        position.EventId.TryWriteBytes(bytes[17..], bigEndian: true, out _);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryDecode(string? text, [NotNullWhen(true)] out TimelinePosition? position)
    {
        position = null;
        if (string.IsNullOrEmpty(text) || text.Length > 64)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[48];
        if (!Base64Url.TryDecodeFromChars(text, bytes, out var written) || written != Length || bytes[0] != Format)
        {
            return false;
        }
        var occurred = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        var recorded = BinaryPrimitives.ReadInt64BigEndian(bytes[9..]);
        if (occurred < 0 || recorded < 0 || occurred > DateTimeOffset.MaxValue.UtcTicks || recorded > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }
        position = new TimelinePosition(occurred, recorded, new Guid(bytes.Slice(17, 16), bigEndian: true));
        return true;
    }
}
