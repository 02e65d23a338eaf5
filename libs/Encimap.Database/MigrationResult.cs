using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Encimap.Database;

/// <summary>What <see cref="MigrationRunner.ApplyAsync"/> did.</summary>
public sealed record MigrationResult(string SetName, IReadOnlyList<Migration> Applied, IReadOnlyList<int> AlreadyApplied)
{
    /// <summary>Shows the versions applied now.</summary>
    public override string ToString() =>
        $"{SetName}: applied [{string.Join(", ", Applied.Select(m => m.FileName))}], {AlreadyApplied.Count} already applied";
}
