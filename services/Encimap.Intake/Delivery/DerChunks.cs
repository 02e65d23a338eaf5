namespace Encimap.Intake.Delivery;

/// <summary>
/// How the intake cuts a large message's DER into <c>message_chunks</c> rows (migration 0017):
/// each chunk goes to the database as a parameter of its own, in the transaction that stores the
/// message, so that the backend holds one chunk at a time, never the whole DER. The body of a
/// large message stored as it came (migration 0019) is cut the same way, above the same size.
/// </summary>
public static class DerChunks
{
    /// <summary>
    /// Bytes per chunk, the last one excepted: 18,396 base64 lines of 57 bytes, just under 1 MiB.
    /// A multiple of 57 so that every chunk renders to whole base64 lines on its own (the database
    /// requires it), and readers render chunk by chunk. About 1 MiB because the backend holds a
    /// few copies of a parameter while storing it (the Bind message, the datum, the tuple, its
    /// TOAST slices): a few MiB per delivery, whatever the message's size. Smaller chunks would
    /// save little more and cost a row, an index entry and a Bind each (a 50 MiB message is 50
    /// chunks; at 64 KiB it would be 800); larger ones raise what every storing backend holds.
    /// </summary>
    public const int ChunkBytes = 57 * 18_396;

    /// <summary>
    /// Whether a DER of <paramref name="derLength"/> bytes goes in chunks. One that fits in a
    /// chunk stays in <c>messages.content_der</c>: one datum of that size costs the backend no
    /// more than a chunk, and a small message keeps one row and one statement.
    /// </summary>
    public static bool IsChunked(long derLength) => derLength > ChunkBytes;

    /// <summary>The chunks of a DER: (offset, length) in order.</summary>
    public static IEnumerable<(long Offset, int Length)> Ranges(long derLength)
    {
        for (long offset = 0; offset < derLength; offset += ChunkBytes)
        {
            yield return (offset, (int)Math.Min(ChunkBytes, derLength - offset));
        }
    }
}
