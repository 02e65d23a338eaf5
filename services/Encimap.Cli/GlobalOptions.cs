using System.CommandLine;

namespace Encimap.Cli;

/// <summary>Options every command accepts.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Encimap = new("--encimap")
    {
        Description = "Connection string of the Encimap database (default: ConnectionStrings__encimap).",
        Recursive = true,
    };

    public static readonly Option<string?> Platform = new("--platform")
    {
        Description = "Connection string of the platform database (default: ConnectionStrings__platform).",
        Recursive = true,
    };

    public static readonly Option<string?> SigningKey = new("--signing-key")
    {
        Description = "S2S JWT signing secret, at least 32 bytes (default: Jwt__S2S__SigningKey).",
        Recursive = true,
    };

    public static void AddTo(RootCommand root)
    {
        root.Add(Encimap);
        root.Add(Platform);
        root.Add(SigningKey);
    }
}
