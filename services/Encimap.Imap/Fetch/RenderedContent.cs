using System.Buffers;
using Encimap.Mime;
using Npgsql;

namespace Encimap.Imap;

/// <summary>
/// A stored message's bytes as IMAP serves them, read from a FETCH row: <c>content</c> alone, or
/// for a message stored as header and DER, the header followed by the DER in base64 lines. The
/// DER and the rendering live in pooled buffers: a 100 KB message would otherwise allocate and
/// zero ~240 KB per FETCH. Dispose after the FETCH response is written; the bytes are
/// ciphertext and headers only.
/// </summary>
public sealed class RenderedContent : IDisposable
{
    private byte[]? _rented;

    private RenderedContent(ReadOnlyMemory<byte> bytes, byte[]? rented)
    {
        Bytes = bytes;
        _rented = rented;
    }

    /// <summary>The message as served.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>
    /// Reads columns <paramref name="contentOrdinal"/> (bytea) and <paramref name="derOrdinal"/>
    /// (bytea or NULL) of the current row, in order, as sequential access allows.
    /// </summary>
    public static async Task<RenderedContent> ReadAsync(NpgsqlDataReader reader, int contentOrdinal, int derOrdinal, CancellationToken cancellationToken)
    {
        var content = await reader.GetFieldValueAsync<byte[]>(contentOrdinal, cancellationToken);
        if (await reader.IsDBNullAsync(derOrdinal, cancellationToken))
        {
            return new RenderedContent(content, null);
        }

        await using var stream = await reader.GetStreamAsync(derOrdinal, cancellationToken);
        var derLength = checked((int)stream.Length);
        var der = ArrayPool<byte>.Shared.Rent(derLength);
        try
        {
            await stream.ReadExactlyAsync(der.AsMemory(0, derLength), cancellationToken);
            var length = checked(content.Length + (int)Base64Lines.EncodedLength(derLength));
            var rendered = ArrayPool<byte>.Shared.Rent(length);
            content.CopyTo(rendered, 0);
            Base64Lines.Encode(der.AsSpan(0, derLength), rendered.AsSpan(content.Length, length - content.Length));
            return new RenderedContent(rendered.AsMemory(0, length), rendered);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(der);
        }
    }

    public void Dispose()
    {
        if (_rented is { } rented)
        {
            _rented = null;
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
