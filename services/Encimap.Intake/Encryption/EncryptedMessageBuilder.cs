using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Encimap.Intake.Delivery;
using Encimap.Mime;
using Encimap.Smtp;
using MimeKit;

namespace Encimap.Intake.Encryption;

/// <summary>
/// Turns an original RFC 5322 message into what is stored: a standard
/// <c>application/pkcs7-mime; smime-type=enveloped-data</c> message (RFC 8551 §3.3) whose content
/// is the whole original, byte for byte, as CMS EnvelopedData (RFC 5652) — AES-256-CBC, one
/// RecipientInfo per certificate, recipients by issuer and serial number — written streaming
/// (<see cref="EnvelopedDataWriter"/>), so that neither the original nor its ciphertext is held
/// whole in memory.
/// <para>
/// Outer header, in this order, CRLF line endings:
/// </para>
/// <list type="number">
/// <item>this hop's <c>Received:</c> field, first, as trace fields are (RFC 5321 §4.4);</item>
/// <item>From, Sender, Reply-To, To, Cc, Date, Message-ID, In-Reply-To, References, Subject: the
/// first occurrence of each, copied as its raw bytes (folding, encoded words and 8-bit text stay as
/// they were; only line endings become CRLF), so that a client lists, threads and replies to the
/// message without decrypting it, and IMAP's ENVELOPE is the original's. Bcc is never copied.
/// A bare CR in a copied field ends what is copied of it: readers that take it for a line break
/// would otherwise see another field there (a Bcc) or the end of the header.
/// With <c>HideSubject</c> the Subject is <c>Subject: ...</c> whether or not the original had one.
/// A message without a Date gets the time of arrival and one without a From gets the envelope
/// sender (best effort for clients' lists); nothing else is invented;</item>
/// <item>MIME-Version, Content-Type, Content-Transfer-Encoding (base64, 76-character lines),
/// Content-Disposition (<c>smime.p7m</c>), and <c>X-Encimap-Encrypted: at-rest</c>.</item>
/// </list>
/// <para>
/// A message that is already S/MIME encrypted (top-level <c>application/pkcs7-mime</c> or
/// <c>application/x-pkcs7-mime</c> with <c>smime-type=enveloped-data</c> or
/// <c>authEnveloped-data</c>, or without smime-type but named <c>*.p7m</c>) is stored as it is,
/// byte for byte except its Bcc and Resent-Bcc fields — but only when its body really decodes as
/// CMS EnvelopedData (a label alone would otherwise let any sender have plaintext stored
/// unencrypted) and its header has no bare CR (see <see cref="BccFields"/>); otherwise it is
/// encrypted like any other message. One larger than a chunk keeps its body apart, for the
/// database to store in chunks (<see cref="EncryptedMessage.Body"/>, migration 0019); the check
/// decodes and parses the body streaming, so that no such message is held whole.
/// </para>
/// Shared by inbound delivery and IMAP APPEND.
/// </summary>
public sealed class EncryptedMessageBuilder
{
    /// <summary>id-aes256-CBC (RFC 3565).</summary>
    public const string Aes256CbcOid = "2.16.840.1.101.3.4.1.42";

    // What a client needs to list, thread and reply (SPEC "Encryption"); never Bcc.
    private static readonly string[] CopiedFields = ["From", "Sender", "Reply-To", "To", "Cc", "Date", "Message-ID", "In-Reply-To", "References", "Subject"];

    private static readonly byte[] FixedFields = Encoding.ASCII.GetBytes(
        "MIME-Version: 1.0\r\n" +
        "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n" +
        "Content-Transfer-Encoding: base64\r\n" +
        "Content-Disposition: attachment; filename=smime.p7m\r\n" +
        "X-Encimap-Encrypted: at-rest\r\n" +
        "\r\n");

    private readonly TimeProvider _time;
    private readonly string? _spoolDirectory;

    /// <param name="time">The clock for a Date field the original lacks.</param>
    /// <param name="spoolDirectory">Where EnvelopedData larger than a spool's memory goes (null: the system's temporary directory).</param>
    public EncryptedMessageBuilder(TimeProvider? time = null, string? spoolDirectory = null)
    {
        _time = time ?? TimeProvider.System;
        _spoolDirectory = spoolDirectory;
    }

    /// <summary>
    /// Builds the stored form of <paramref name="raw"/>, whose header is <paramref name="header"/>
    /// (see <see cref="OriginalHeader"/>): the outer header in memory and the EnvelopedData written
    /// streaming into a new spool (disposed with the result). Throws <see cref="ArgumentException"/>
    /// without certificates and <see cref="CryptographicException"/> when a certificate cannot be
    /// used for key transport.
    /// </summary>
    public async Task<EncryptedMessage> BuildAsync(MessageSpool raw, HeaderList header, EncryptionSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(settings);
        if (OriginalHeader.MayBeEncrypted(header))
        {
            if (await AsItCameAsync(raw, cancellationToken) is { } asItCame)
            {
                return asItCame;
            }
        }

        var outer = BuildHeader(header, settings);
        var der = new MessageSpool(directory: _spoolDirectory);
        try
        {
            await using (var content = raw.OpenRead())
            {
                await EnvelopedDataWriter.WriteAsync(content, settings.Certificates, settings.KeyTransport, der, cancellationToken);
            }

            return new EncryptedMessage(outer, AlreadyEncrypted: false, der);
        }
        catch
        {
            der.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The stored form of a message that is already S/MIME encrypted (see the class summary), or
    /// null when it must be encrypted. A small one is stored whole in <c>content</c>; a larger one
    /// (more than a chunk, <see cref="DerChunks"/>) as its header and its body apart, copied into
    /// a spool of its own (the transport's spool may be gone before the commit), so that it goes
    /// to the database in chunks and is never held whole (migration 0019).
    /// </summary>
    private async Task<EncryptedMessage?> AsItCameAsync(MessageSpool raw, CancellationToken cancellationToken)
    {
        bool encrypted;
        await using (var message = raw.OpenRead())
        {
            encrypted = IsAlreadyEncrypted(message);
        }

        if (!encrypted)
        {
            return null;
        }

        if (!DerChunks.IsChunked(raw.Length) || OriginalHeader.HeaderEnd(raw.ReadPrefix(DerChunks.ChunkBytes)) is not { } headerLength)
        {
            // Small, or (rare) a header longer than a chunk: the whole message, as it came.
            return BccFields.TryRemove(raw.ToArray(), out var whole) ? new EncryptedMessage(whole, AlreadyEncrypted: true) : null;
        }

        // The blind-copy fields are all in the header, which ends at its empty line: the body is as it came.
        if (!BccFields.TryRemove(raw.ReadPrefix(headerLength), out var asItCame))
        {
            return null;
        }

        await using var source = raw.OpenSlice(headerLength, raw.Length - headerLength);
        var body = await MessageSpool.CopyFromAsync(source, long.MaxValue, _spoolDirectory, cancellationToken);
        return new EncryptedMessage(asItCame, AlreadyEncrypted: true, Body: body);
    }

    /// <summary>
    /// Whether the message is already an S/MIME encrypted message (see the class summary): labelled
    /// as enveloped data and its body decodes as CMS EnvelopedData.
    /// </summary>
    public static bool IsAlreadyEncrypted(byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var stream = new MemoryStream(message, writable: false);
        return IsAlreadyEncrypted(stream);
    }

    /// <summary>
    /// As <see cref="IsAlreadyEncrypted(byte[])"/>, reading <paramref name="message"/> from its
    /// current position as it goes: the body is decoded and its CMS structure parsed streaming,
    /// so that a large message is never held whole.
    /// </summary>
    public static bool IsAlreadyEncrypted(Stream message)
    {
        ArgumentNullException.ThrowIfNull(message);
        MimeMessage parsed;
        try
        {
            // Persistent: the body stays a view of the stream, not a copy.
            parsed = new MimeParser(MessageReader.Options, message, MimeFormat.Entity, persistent: true).ParseMessage();
        }
        catch (FormatException)
        {
            return false;
        }

        using (parsed)
        {
            return parsed.Body is MimePart part && IsEnvelopedData(part);
        }
    }

    private static bool IsEnvelopedData(MimePart part)
    {
        var type = part.ContentType;
        if (!type.IsMimeType("application", "pkcs7-mime") && !type.IsMimeType("application", "x-pkcs7-mime"))
        {
            return false;
        }

        var smimeType = type.Parameters.TryGetValue("smime-type", out string? value) ? value : null;
        var labelled = smimeType is null
            ? (type.Name ?? part.ContentDisposition?.FileName ?? "").EndsWith(".p7m", StringComparison.OrdinalIgnoreCase)
            : smimeType.Equals("enveloped-data", StringComparison.OrdinalIgnoreCase)
              || smimeType.Equals("authEnveloped-data", StringComparison.OrdinalIgnoreCase);
        if (!labelled || part.Content is null)
        {
            return false;
        }

        try
        {
            using var body = part.Content.Open();
            // AuthEnvelopedData (RFC 5083) has no parser here; EnvelopedData must parse fully.
            return smimeType is not null && smimeType.Equals("authEnveloped-data", StringComparison.OrdinalIgnoreCase)
                ? CmsStructure.IsContentInfoOf(body, CmsStructure.AuthEnvelopedData)
                : CmsStructure.IsEnvelopedData(body);
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidCastException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private byte[] BuildHeader(HeaderList original, EncryptionSettings settings)
    {
        var header = new MemoryStream(1024);
        if (!string.IsNullOrEmpty(settings.ReceivedField))
        {
            WriteAscii(header, settings.ReceivedField);
            WriteAscii(header, "\r\n");
        }

        foreach (var name in CopiedFields)
        {
            var field = RawHeader.First(original, name);
            if (name == "Subject" && settings.HideSubject)
            {
                WriteAscii(header, "Subject: ...\r\n");
            }
            else if (field is not null)
            {
                WriteWithCrlf(header, RawHeader.Field(field));
                WriteAscii(header, "\r\n");
            }
            else if (name == "Date")
            {
                WriteAscii(header, $"Date: {ReceivedField.FormatDate(_time.GetUtcNow())}\r\n");
            }
            else if (name == "From" && SafeAddress(settings.EnvelopeSender) is { } sender)
            {
                WriteAscii(header, $"From: <{sender}>\r\n");
            }
        }

        header.Write(FixedFields);
        return header.ToArray();
    }

    // Raw field bytes with CRLF line endings. Inside a field a line break is a fold, followed by a
    // space or tab: CRLF and a bare LF are written as CRLF, and so is a bare CR before a space or
    // tab. Any other bare CR ends the copy, so that no reader sees a line of its own after it.
    private static void WriteWithCrlf(MemoryStream output, ReadOnlySpan<byte> field)
    {
        for (var i = 0; i < field.Length; i++)
        {
            var b = field[i];
            if (b == '\r')
            {
                var next = i + 1 < field.Length ? field[i + 1] : (byte)0;
                if (next == '\n')
                {
                    i++;
                }
                else if (next is not ((byte)' ' or (byte)'\t'))
                {
                    return;
                }

                output.WriteByte((byte)'\r');
                output.WriteByte((byte)'\n');
            }
            else if (b == '\n')
            {
                output.WriteByte((byte)'\r');
                output.WriteByte((byte)'\n');
            }
            else
            {
                output.WriteByte(b);
            }
        }
    }

    private static void WriteAscii(MemoryStream output, string text) => output.Write(Encoding.ASCII.GetBytes(text));

    // An envelope sender fit to stand in a From: field: printable ASCII, one @, no brackets.
    private static string? SafeAddress(string? address)
    {
        if (string.IsNullOrWhiteSpace(address) || address.Length > 320)
        {
            return null;
        }

        var value = address.Trim();
        return value.Count(c => c == '@') == 1 && value.All(c => c is > ' ' and < '\x7f' and not ('<' or '>' or '(' or ')' or ',' or ';' or '"' or '\\'))
            ? value
            : null;
    }
}
