namespace Encimap.AppHost;

/// <summary>Writes every resource's console lines to the AppHost's console, prefixed with the resource's name.</summary>
public sealed class ConsoleSink
{
    private readonly Lock _gate = new();

    public void Write(string resource, string line, bool isError)
    {
        lock (_gate)
        {
            var writer = isError ? Console.Error : Console.Out;
            writer.WriteLine($"[{resource}] {line}");
        }
    }
}
