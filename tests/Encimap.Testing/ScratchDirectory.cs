namespace Encimap.Testing;

/// <summary>
/// A new temporary directory for what a client under test writes (fetched messages, a Maildir),
/// deleted with everything in it when disposed, so that repeated runs do not fill the disk.
/// </summary>
public sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory(string prefix) => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
