using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Encimap.Database;

/// <summary>One numbered SQL migration (<c>0001_name.sql</c>).</summary>
public sealed record Migration
{
    /// <summary>Creates a migration; the checksum is SHA-256 of the SQL with line endings normalized to LF.</summary>
    public Migration(int version, string name, string sql)
    {
        if (version <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "Migration versions start at 1.");
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(sql);
        Version = version;
        Name = name;
        Sql = sql;
        Checksum = ComputeChecksum(sql);
    }

    /// <summary>The number (0001 → 1).</summary>
    public int Version { get; }

    /// <summary>The name after the number, e.g. <c>schema_v1</c>.</summary>
    public string Name { get; }

    /// <summary>The SQL text.</summary>
    public string Sql { get; }

    /// <summary>Lower-case hex SHA-256 of the normalized SQL.</summary>
    public string Checksum { get; }

    /// <summary>The file name, e.g. <c>0001_schema_v1.sql</c>.</summary>
    public string FileName => $"{Version:D4}_{Name}.sql";

    /// <summary>SHA-256 of the text without a byte-order mark and with CRLF/CR turned into LF, so that a checkout's line endings do not change it.</summary>
    public static string ComputeChecksum(string sql)
    {
        var normalized = sql.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));
    }

    /// <summary>Shows the file name only.</summary>
    public override string ToString() => FileName;
}
