using System.Buffers;
using Encimap.Mime;
using Npgsql;

namespace Encimap.Imap;

/// <summary>
/// A stored message's bytes as IMAP serves them, read from FETCH rows: <c>content</c> alone, or
/// for a message stored as header and DER, the header followed by the DER in base64 lines. The
/// DER comes from <c>content_der</c> or, for a large message, from its <c>message_chunks</c> rows
/// (migration 0017), one row per chunk; it is encoded as it streams in, a block at a time, so that
/// no more than one block of it is held besides the rendering. A large message stored as it came
/// has its header in <c>content</c> and its body in <c>message_chunks</c> rows (migration 0019):
/// those are copied as they stream in, with nothing to render. The rendering lives in a pooled
/// buffer: a 100 KB message would otherwise allocate and zero ~140 KB per FETCH. Dispose after
/// the FETCH response is written; the bytes are ciphertext and headers only.
/// </summary>
public sealed class RenderedContent : IDisposable
{
    // Whole base64 lines, so that blocks render to the same lines as the DER at once.
    private const int BlockBytes = Base64Lines.LineBytes * 1024;

    private readonly int _length;
    private readonly bool _chunksAsTheyAre;
    private byte[]? _rented;
    private int _written;
    private int _nextChunk;

    private RenderedContent(byte[] bytes, int length, bool rented, bool chunksAsTheyAre = false)
    {
        _length = length;
        _chunksAsTheyAre = chunksAsTheyAre;
        _rented = rented ? bytes : null;
        // A pooled rendering is filled by the caller; content served as stored is complete.
        _written = rented ? 0 : length;
        Bytes = bytes.AsMemory(0, length);
    }

    /// <summary>The message as served (complete once <see cref="IsComplete"/>).</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Whether every chunk of the DER or body has been rendered.</summary>
    public bool IsComplete => _written == _length;

    /// <summary>
    /// Reads the columns from <paramref name="contentOrdinal"/> on of the current row, in order as
    /// sequential access allows: <c>content</c> (bytea), <c>content_der</c> (bytea or NULL),
    /// <c>chunked_der_length</c> (bigint or NULL), <c>chunked_body_length</c> (bigint or NULL) and
    /// the row's chunk (bytea or NULL; the first chunk of a chunked message). A chunked message's further chunks come with
    /// <see cref="AppendChunkAsync"/>, row by row, in order.
    /// </summary>
    public static async Task<RenderedContent> ReadAsync(NpgsqlDataReader reader, int contentOrdinal, CancellationToken cancellationToken)
    {
        var content = await reader.GetFieldValueAsync<byte[]>(contentOrdinal, cancellationToken);
        if (!await reader.IsDBNullAsync(contentOrdinal + 1, cancellationToken))
        {
            await using var der = await reader.GetStreamAsync(contentOrdinal + 1, cancellationToken);
            return await FilledAsync(Begin(content, checked((int)Base64Lines.EncodedLength(der.Length)), chunksAsTheyAre: false),
                rendered => rendered.AppendLinesAsync(der, cancellationToken));
        }

        // Chunks: of a DER, rendered as base64 lines, or of a body stored as it came, copied.
        var derLength = await reader.IsDBNullAsync(contentOrdinal + 2, cancellationToken) ? (long?)null : reader.GetInt64(contentOrdinal + 2);
        var bodyLength = await reader.IsDBNullAsync(contentOrdinal + 3, cancellationToken) ? (long?)null : reader.GetInt64(contentOrdinal + 3);
        if (derLength is null && bodyLength is null)
        {
            return new RenderedContent(content, content.Length, rented: false);
        }

        var chunked = derLength is { } length
            ? Begin(content, checked((int)Base64Lines.EncodedLength(length)), chunksAsTheyAre: false)
            : Begin(content, checked((int)bodyLength!.Value), chunksAsTheyAre: true);
        return await FilledAsync(chunked, rendered => rendered.AppendChunkAsync(reader, contentOrdinal + 4, cancellationToken));
    }

    /// <summary><paramref name="rendered"/> once <paramref name="fill"/> has written into it; back to the pool if that fails.</summary>
    private static async Task<RenderedContent> FilledAsync(RenderedContent rendered, Func<RenderedContent, Task> fill)
    {
        try
        {
            await fill(rendered);
            return rendered;
        }
        catch
        {
            rendered.Dispose();
            throw;
        }
    }

    /// <summary>A pooled rendering of <paramref name="content"/> and room for <paramref name="bodyLength"/> bytes of body as served.</summary>
    private static RenderedContent Begin(byte[] content, int bodyLength, bool chunksAsTheyAre)
    {
        var length = checked(content.Length + bodyLength);
        var rendered = new RenderedContent(ArrayPool<byte>.Shared.Rent(length), length, rented: true, chunksAsTheyAre);
        content.CopyTo(rendered._rented!, 0);
        rendered._written = content.Length;
        return rendered;
    }

    /// <summary>Renders the chunk in column <paramref name="chunkOrdinal"/> of the current row, the next of the DER or body.</summary>
    public async Task AppendChunkAsync(NpgsqlDataReader reader, int chunkOrdinal, CancellationToken cancellationToken)
    {
        if (await reader.IsDBNullAsync(chunkOrdinal, cancellationToken))
        {
            throw new InvalidDataException($"chunk {_nextChunk} of a stored message is missing");
        }

        await using var chunk = await reader.GetStreamAsync(chunkOrdinal, cancellationToken);
        if (_chunksAsTheyAre)
        {
            await AppendAsItIsAsync(chunk, cancellationToken);
        }
        else
        {
            await AppendLinesAsync(chunk, cancellationToken);
        }

        _nextChunk++;
    }

    /// <summary>Copies <paramref name="chunk"/> after what is rendered, as it is.</summary>
    private async Task AppendAsItIsAsync(Stream chunk, CancellationToken cancellationToken)
    {
        var target = _rented ?? throw new ObjectDisposedException(nameof(RenderedContent));
        int read;
        while ((read = await chunk.ReadAsync(target.AsMemory(_written, _length - _written), cancellationToken)) > 0)
        {
            _written += read;
        }

        if (chunk.ReadByte() >= 0)
        {
            throw new InvalidDataException("a stored message's body is longer than its recorded length");
        }
    }

    /// <summary>Encodes <paramref name="der"/> after what is rendered, a block of whole lines at a time.</summary>
    private async Task AppendLinesAsync(Stream der, CancellationToken cancellationToken)
    {
        var target = _rented ?? throw new ObjectDisposedException(nameof(RenderedContent));
        var block = ArrayPool<byte>.Shared.Rent(BlockBytes);
        try
        {
            int read;
            do
            {
                // Only the DER's (or chunk's) last block may end within a line.
                read = await der.ReadAtLeastAsync(block.AsMemory(0, BlockBytes), BlockBytes, throwOnEndOfStream: false, cancellationToken);
                var encoded = (int)Base64Lines.EncodedLength(read);
                if (encoded > _length - _written)
                {
                    throw new InvalidDataException("a stored message's DER is longer than its recorded length");
                }

                Base64Lines.Encode(block.AsSpan(0, read), target.AsSpan(_written, encoded));
                _written += encoded;
            }
            while (read == BlockBytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
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
