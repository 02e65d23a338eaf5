using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Encimap.Intake.Delivery;

/// <summary>
/// The idempotency key of a delivery (<c>messages.dedup_key</c>): SHA-256 over the target folder,
/// the envelope sender, the sorted lower-case recipients and the raw message, each length-prefixed
/// so that no two different inputs share a byte stream. A sender's retry of the same transaction
/// has the same key; the folder keeps a vaultbox's own Sent copy and an inbound copy of the same
/// bytes apart.
/// </summary>
public static class DedupKey
{
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("encimap-dedup-v1");

    public static byte[] Compute(string mailbox, string envelopeSender, IEnumerable<string> recipients, ReadOnlySpan<byte> raw)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, Domain);
        Append(hash, Encoding.UTF8.GetBytes(mailbox));
        Append(hash, Encoding.UTF8.GetBytes(envelopeSender.Trim()));
        var sorted = recipients.Select(RecipientDirectory.Normalize).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        Span<byte> count = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(count, sorted.Length);
        hash.AppendData(count);
        foreach (var recipient in sorted)
        {
            Append(hash, Encoding.UTF8.GetBytes(recipient));
        }

        Append(hash, raw);
        return hash.GetHashAndReset();
    }

    private static void Append(IncrementalHash hash, ReadOnlySpan<byte> value)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(length, value.Length);
        hash.AppendData(length);
        hash.AppendData(value);
    }
}
