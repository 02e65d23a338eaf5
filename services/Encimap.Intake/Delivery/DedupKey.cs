using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Encimap.Smtp;

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
        using var hash = Begin(mailbox, envelopeSender, recipients);
        Append(hash, raw);
        return hash.GetHashAndReset();
    }

    /// <summary>The same key, reading the message from <paramref name="raw"/> a buffer at a time.</summary>
    public static byte[] Compute(string mailbox, string envelopeSender, IEnumerable<string> recipients, MessageSpool raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        using var hash = Begin(mailbox, envelopeSender, recipients);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(length, raw.Length);
        hash.AppendData(length);
        using var content = raw.OpenRead();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = content.Read(buffer)) > 0)
            {
                hash.AppendData(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return hash.GetHashAndReset();
    }

    private static IncrementalHash Begin(string mailbox, string envelopeSender, IEnumerable<string> recipients)
    {
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
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

        return hash;
    }

    private static void Append(IncrementalHash hash, ReadOnlySpan<byte> value)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(length, value.Length);
        hash.AppendData(length);
        hash.AppendData(value);
    }
}
