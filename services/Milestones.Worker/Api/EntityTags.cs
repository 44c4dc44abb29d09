using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace Milestones.Worker.Api;

/// <summary>
/// Strong entity tags for the API's answers, and the <c>If-None-Match</c> check. A tag is a digest of everything the
/// answer is made from: the project's version (its state, retractions included), the catalog entry, and for a
/// timeline page the query and the ids of the events on it (an event is immutable once recorded). Equal tags mean
/// equal bodies; any change to the project gives a new one.
/// </summary>
public static class EntityTags
{
    public static string Of(params object?[] parts)
    {
        var text = string.Join('\u001f', parts.Select(p => Convert.ToString(p, System.Globalization.CultureInfo.InvariantCulture)));
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return $"\"{Convert.ToHexStringLower(digest.AsSpan(0, 16))}\"";
    }

    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, string> Digests = new();

    /// <summary>
    /// A digest of an immutable value's JSON, computed once per instance: a catalog entry is replaced, never changed, so
    /// its digest is worked out the first time a tag needs it and not on every request.
    /// </summary>
    public static string Digest(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Digests.GetValue(value, static v =>
            Convert.ToHexStringLower(SHA256.HashData(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(v, v.GetType())).AsSpan(0, 16)));
    }

    /// <summary>
    /// Whether the request's <c>If-None-Match</c> names this tag (or is <c>*</c>): the client's copy is current. Weak
    /// comparison, as RFC 9110 prescribes for <c>If-None-Match</c>.
    /// </summary>
    public static bool Matches(HttpRequest request, string tag)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.IfNoneMatch;
        if (header.Count == 0 || !EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            return false;
        }
        var current = new EntityTagHeaderValue(tag);
        return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(current, useStrongComparison: false));
    }
}
