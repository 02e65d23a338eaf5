using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Encimap.Smtp;

/// <summary>
/// A message written once, front to back, then read as often as needed, without holding it whole
/// in one array: the first <see cref="MemoryLimit"/> octets go into pooled 64 KiB buffers, and a
/// larger message moves to a temporary file (mode 0600, unlinked when the spool is disposed or
/// the process ends). Readers (<see cref="OpenRead"/>) are independent, seekable streams, so a
/// message can be parsed, hashed, encrypted and retried from the same spool. Not thread-safe while
/// written; any number of readers once complete.
/// </summary>
public sealed class MessageSpool : IDisposable
{
    /// <summary>Below this many octets a message stays in memory (1 MiB).</summary>
    public const int DefaultMemoryLimit = 1024 * 1024;

    private const int SegmentSize = 64 * 1024;

    private readonly string _directory;
    private readonly List<byte[]> _segments = [];
    private readonly ReadOnlyMemory<byte> _wrapped;
    private FileStream? _file;
    private bool _disposed;

    /// <param name="memoryLimit">Octets kept in pooled memory before the spool moves to a file.</param>
    /// <param name="directory">Where the temporary file goes (null: the system's temporary directory).</param>
    public MessageSpool(int memoryLimit = DefaultMemoryLimit, string? directory = null)
    {
        MemoryLimit = memoryLimit;
        _directory = string.IsNullOrEmpty(directory) ? Path.GetTempPath() : directory;
    }

    private MessageSpool(ReadOnlyMemory<byte> wrapped)
    {
        _directory = "";
        _wrapped = wrapped;
        Length = wrapped.Length;
        IsWrapped = true;
    }

    public int MemoryLimit { get; }

    /// <summary>Octets written so far.</summary>
    public long Length { get; private set; }

    /// <summary>Whether the spool has moved to a temporary file.</summary>
    public bool IsOnDisk => _file is not null;

    private bool IsWrapped { get; }

    /// <summary>A spool over memory that already holds the whole message (no copy; not writable).</summary>
    public static MessageSpool Wrap(ReadOnlyMemory<byte> message) => new(message);

    /// <summary>
    /// A spool holding a copy of <paramref name="stream"/>'s remaining content, read until its end
    /// or until more than <paramref name="maxLength"/> octets have come (the caller tells the two
    /// apart by <see cref="Length"/>), so that an oversized body is never read whole.
    /// </summary>
    public static async Task<MessageSpool> CopyFromAsync(Stream stream, long maxLength, string? directory = null, CancellationToken cancellationToken = default)
    {
        var spool = new MessageSpool(directory: directory);
        try
        {
            var buffer = ArrayPool<byte>.Shared.Rent(SegmentSize);
            try
            {
                int read;
                while (spool.Length <= maxLength && (read = await stream.ReadAsync(buffer.AsMemory(0, SegmentSize), cancellationToken)) > 0)
                {
                    await spool.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return spool;
        }
        catch
        {
            spool.Dispose();
            throw;
        }
    }

    /// <summary>Appends <paramref name="data"/>.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (BeginWrite(data.Length) is { } file)
        {
            await RandomAccess.WriteAsync(file.SafeFileHandle, data, Length, cancellationToken);
            Length += data.Length;
            return;
        }

        AppendToMemory(data.Span);
    }

    /// <summary>Appends <paramref name="data"/> (for writers that cannot wait, such as a cipher stream).</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (BeginWrite(data.Length) is { } file)
        {
            RandomAccess.Write(file.SafeFileHandle, data, Length);
            Length += data.Length;
            return;
        }

        AppendToMemory(data);
    }

    /// <summary>The file to write to, once the spool has outgrown its memory; null while it fits.</summary>
    private FileStream? BeginWrite(int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsWrapped)
        {
            throw new InvalidOperationException("a wrapped spool is read-only");
        }

        if (_file is null && Length + count > MemoryLimit)
        {
            MoveToFile();
        }

        return _file;
    }

    private void AppendToMemory(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var used = (int)(Length % SegmentSize);
            if (used == 0 && Length / SegmentSize == _segments.Count)
            {
                _segments.Add(ArrayPool<byte>.Shared.Rent(SegmentSize));
            }

            var count = Math.Min(SegmentSize - used, data.Length);
            data[..count].CopyTo(_segments[^1].AsSpan(used));
            data = data[count..];
            Length += count;
        }
    }

    /// <summary>An independent, seekable, read-only view of what was written.</summary>
    public Stream OpenRead()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new Reader(this, 0, Length);
    }

    /// <summary>
    /// An independent, seekable, read-only view of <paramref name="count"/> octets from
    /// <paramref name="offset"/>: a stream of its own length, for a part of the message that goes
    /// somewhere on its own.
    /// </summary>
    public Stream OpenSlice(long offset, long count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + count, Length, nameof(count));
        return new Reader(this, offset, count);
    }

    /// <summary>The first <paramref name="count"/> octets (or fewer, if shorter) as one array.</summary>
    public byte[] ReadPrefix(int count)
    {
        var prefix = new byte[(int)Math.Min(count, Length)];
        Read(0, prefix);
        return prefix;
    }

    /// <summary>The whole message as one array: only for messages known to be small, or rare paths.</summary>
    public byte[] ToArray() => ReadPrefix(checked((int)Length));

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _file?.Dispose();
        foreach (var segment in _segments)
        {
            ArrayPool<byte>.Shared.Return(segment);
        }

        _segments.Clear();
    }

    private void MoveToFile()
    {
        var path = Path.Combine(_directory, $"encimap-spool-{Guid.NewGuid():N}.tmp");
        _file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous,
            BufferSize = 0,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        long offset = 0;
        foreach (var segment in _segments)
        {
            var count = (int)Math.Min(SegmentSize, Length - offset);
            RandomAccess.Write(_file.SafeFileHandle, segment.AsSpan(0, count), offset);
            offset += count;
            ArrayPool<byte>.Shared.Return(segment);
        }

        _segments.Clear();
    }

    /// <summary>Copies octets from <paramref name="position"/> into <paramref name="destination"/>; returns how many.</summary>
    private int Read(long position, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var count = (int)Math.Min(destination.Length, Length - position);
        if (count <= 0)
        {
            return 0;
        }

        if (IsWrapped)
        {
            _wrapped.Span.Slice((int)position, count).CopyTo(destination);
            return count;
        }

        if (_file is not null)
        {
            return ReadFile(_file.SafeFileHandle, position, destination[..count]);
        }

        var copied = 0;
        while (copied < count)
        {
            var at = position + copied;
            var segment = _segments[(int)(at / SegmentSize)];
            var offset = (int)(at % SegmentSize);
            var n = Math.Min(SegmentSize - offset, count - copied);
            segment.AsSpan(offset, n).CopyTo(destination[copied..]);
            copied += n;
        }

        return count;
    }

    private static int ReadFile(SafeFileHandle handle, long position, Span<byte> destination)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var read = RandomAccess.Read(handle, destination[total..], position + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <summary>A read-only stream over <paramref name="length"/> octets of the spool from <paramref name="start"/>, with its own position.</summary>
    private sealed class Reader(MessageSpool spool, long start, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => _position = Math.Clamp(value, 0, length);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = spool.Read(start + _position, buffer[..(int)Math.Min(buffer.Length, length - _position)]);
            _position += read;
            return read;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
