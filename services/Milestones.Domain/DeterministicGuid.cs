using System.Security.Cryptography;
using System.Text;

namespace Milestones.Domain;

/// <summary>Name-based ids: the same name always gives the same id (an RFC 9562 version 8 UUID over SHA-256).</summary>
public static class DeterministicGuid
{
    public static Guid Create(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }
}
