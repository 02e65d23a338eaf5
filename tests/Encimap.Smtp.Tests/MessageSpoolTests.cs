using System.Security.Cryptography;

namespace Encimap.Smtp.Tests;

/// <summary>The spool keeps a message in pooled memory up to its limit, then in an unlinked file, and reads it back whole.</summary>
public sealed class MessageSpoolTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("encimap-spool-test-").FullName;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65_536)]
    [InlineData(65_537)]
    [InlineData(1_048_576)]
    [InlineData(3_000_001)]
    public async Task What_is_written_is_read_back_by_independent_readers(int size)
    {
        var message = RandomNumberGenerator.GetBytes(size);
        using var spool = new MessageSpool(memoryLimit: 1_048_576, directory: _directory);
        for (var offset = 0; offset < size; offset += 10_000)
        {
            var piece = message.AsMemory(offset, Math.Min(10_000, size - offset));
            if (offset % 20_000 == 0)
            {
                await spool.WriteAsync(piece);
            }
            else
            {
                spool.Write(piece.Span);
            }
        }

        Assert.Equal(size, spool.Length);
        Assert.Equal(size > 1_048_576, spool.IsOnDisk);
        await using var first = spool.OpenRead();
        await using var second = spool.OpenRead();
        second.Position = size / 2;
        Assert.Equal(message, await ReadAllAsync(first));
        Assert.Equal(message[(size / 2)..], await ReadAllAsync(second));
        Assert.Equal(message, spool.ToArray());
        Assert.Equal(message[..Math.Min(size, 100)], spool.ReadPrefix(100));

        // A slice is a stream of its own length, across segment boundaries and in a file alike.
        var (start, count) = (size / 3, size / 2);
        await using var slice = spool.OpenSlice(start, count);
        Assert.Equal(count, slice.Length);
        Assert.Equal(message.AsSpan(start, count).ToArray(), await ReadAllAsync(slice));
        Assert.Throws<ArgumentOutOfRangeException>(() => spool.OpenSlice(start, size - start + 1));
    }

    [Fact]
    public void The_file_is_private_and_gone_once_the_spool_is_disposed()
    {
        var spool = new MessageSpool(memoryLimit: 16, directory: _directory);
        spool.Write(new byte[17]);
        var file = Assert.Single(Directory.GetFiles(_directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        spool.Dispose();
        Assert.Empty(Directory.GetFiles(_directory));
        Assert.Throws<ObjectDisposedException>(() => spool.OpenRead());
    }

    [Fact]
    public void A_wrapped_spool_reads_the_memory_it_wraps_and_cannot_be_written()
    {
        var message = RandomNumberGenerator.GetBytes(1000);
        using var spool = MessageSpool.Wrap(message);
        Assert.Equal(message, spool.ToArray());
        Assert.Throws<InvalidOperationException>(() => spool.Write(new byte[1]));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
