using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Encimap.Database;

/// <summary>An ordered set of migrations for one database.</summary>
public sealed partial class MigrationSet
{
    private static readonly Lazy<MigrationSet> EncimapSet = new(() => FromEmbeddedResources(typeof(MigrationSet).Assembly, "Migrations/encimap/", "encimap"));
    private static readonly Lazy<MigrationSet> PlatformSet = new(() => FromEmbeddedResources(typeof(MigrationSet).Assembly, "Migrations/platform/", "platform"));

    /// <summary>Creates a set; versions must be unique.</summary>
    public MigrationSet(string name, IEnumerable<Migration> migrations)
    {
        Name = name;
        var ordered = migrations.OrderBy(m => m.Version).ToList();
        var duplicate = ordered.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException(
                $"Migration set '{name}' has version {duplicate.Key:D4} more than once: {string.Join(", ", duplicate.Select(m => m.FileName))}.");
        }
        Migrations = ordered;
    }

    /// <summary>A name for messages and logs (e.g. <c>encimap</c>).</summary>
    public string Name { get; }

    /// <summary>The migrations by ascending version.</summary>
    public IReadOnlyList<Migration> Migrations { get; }

    /// <summary>The Encimap database's migrations (embedded in this library).</summary>
    public static MigrationSet Encimap => EncimapSet.Value;

    /// <summary>The platform database's migrations (embedded in this library).</summary>
    public static MigrationSet Platform => PlatformSet.Value;

    /// <summary>The <c>NNNN_name.sql</c> files of a directory (other files are ignored).</summary>
    public static MigrationSet FromDirectory(string directory, string? name = null)
    {
        var migrations = new List<Migration>();
        foreach (var path in Directory.EnumerateFiles(directory, "*.sql"))
        {
            if (TryParseFileName(Path.GetFileName(path), out var version, out var migrationName))
            {
                migrations.Add(new Migration(version, migrationName, File.ReadAllText(path)));
            }
        }
        return new MigrationSet(name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)), migrations);
    }

    /// <summary>The embedded resources named <c>{prefix}NNNN_name.sql</c> of an assembly.</summary>
    public static MigrationSet FromEmbeddedResources(Assembly assembly, string prefix, string name)
    {
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(prefix, StringComparison.Ordinal)
                || !TryParseFileName(resource[prefix.Length..], out var version, out var migrationName))
            {
                continue;
            }
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            migrations.Add(new Migration(version, migrationName, reader.ReadToEnd()));
        }
        return new MigrationSet(name, migrations);
    }

    /// <summary>Parses <c>0001_schema_v1.sql</c> into (1, "schema_v1").</summary>
    public static bool TryParseFileName(string fileName, out int version, out string name)
    {
        var match = FileNamePattern().Match(fileName);
        if (!match.Success)
        {
            version = 0;
            name = "";
            return false;
        }
        version = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        name = match.Groups[2].Value;
        return version > 0;
    }

    [GeneratedRegex(@"^(\d{4,9})_([a-z0-9_]+)\.sql$")]
    private static partial Regex FileNamePattern();
}
