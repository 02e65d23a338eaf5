using System.Buffers;

namespace Encimap.Smtp;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> in front of a <see cref="MessageSpool"/>: the DATA decoder
/// writes line by line, and once the spool is a file each of those small writes would be a system
/// call of its own, so they are gathered in one pooled 64 KiB buffer and handed on when it is full
/// (and by <see cref="Flush"/>, which the session calls before the spool is read). A spool that
/// cannot be written (a full disk, a spool directory it may not write to) does not break the
/// connection: the rest of the message is read and dropped, and <see cref="Failure"/> says why,
/// so that the session answers 4xx at its end.
/// </summary>
public sealed class MessageSpoolWriter : IBufferWriter<byte>, IDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly MessageSpool _spool;
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _count;

    public MessageSpoolWriter(MessageSpool spool) => _spool = spool;

    public MessageSpool Spool => _spool;

    /// <summary>Why the spool stopped taking data, or null while it takes it.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Octets written so far, whether still in the buffer or already in the spool.</summary>
    public long Length => _spool.Length + _count;

    public void Advance(int count)
    {
        if (count < 0 || _count + count > Buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _count += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return Buffer.AsMemory(_count);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return Buffer.AsSpan(_count);
    }

    /// <summary>Hands what is buffered to the spool.</summary>
    public void Flush()
    {
        if (_count == 0)
        {
            return;
        }

        if (Failure is null)
        {
            try
            {
                _spool.Write(Buffer.AsSpan(0, _count));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Failure = e;
            }
        }

        _count = 0;
    }

    /// <summary>Returns the buffer to the pool; the spool itself belongs to the caller.</summary>
    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(MessageSpoolWriter));

    private void Reserve(int sizeHint)
    {
        if (sizeHint > BufferSize)
        {
            throw new ArgumentOutOfRangeException(nameof(sizeHint), $"at most {BufferSize} octets at a time");
        }

        if (Buffer.Length - _count < Math.Max(sizeHint, 1))
        {
            Flush();
        }
    }
}
