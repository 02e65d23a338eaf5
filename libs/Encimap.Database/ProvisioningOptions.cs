using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Encimap.Database;

/// <summary>Names of the two databases and four roles (SPEC "Two databases").</summary>
public sealed record ProvisioningOptions
{
    /// <summary>The Encimap database, owned by <see cref="EncimapOwnerRole"/>.</summary>
    public string EncimapDatabase { get; init; } = "motorical_encrypted_imap";

    /// <summary>The platform database, owned by <see cref="PlatformOwnerRole"/>.</summary>
    public string PlatformDatabase { get; init; } = "motorical_db";

    /// <summary>Owns the Encimap database and runs its migrations.</summary>
    public string EncimapOwnerRole { get; init; } = "encimap";

    /// <summary>What Encimap services use on the Encimap database: data access, no DDL.</summary>
    public string EncimapAppRole { get; init; } = "encimap_app";

    /// <summary>Owns the platform database and runs its migrations.</summary>
    public string PlatformOwnerRole { get; init; } = "motorical";

    /// <summary>What Encimap services use on the platform database: SELECT on users, domains, motor_blocks.</summary>
    public string PlatformReaderRole { get; init; } = "encimap_platform_reader";

    /// <summary>
    /// The roles' passwords. Null generates new ones. Either way the roles' passwords are set
    /// to these, so connection strings returned earlier with other passwords stop working.
    /// </summary>
    public RolePasswords? Passwords { get; init; }

    /// <summary>
    /// Create the Encimap database as a copy of this (already provisioned and migrated) database.
    /// A new copy keeps the template's schema, grants and default privileges; only the
    /// database-level privileges are applied to it.
    /// </summary>
    public string? EncimapTemplate { get; init; }

    /// <summary>Like <see cref="EncimapTemplate"/>, for the platform database.</summary>
    public string? PlatformTemplate { get; init; }

    /// <summary>
    /// Create or update the four roles and set their passwords (the default). False assumes they
    /// exist with <see cref="Passwords"/> already: the fast path for copies of a template that
    /// was provisioned with the same passwords.
    /// </summary>
    public bool EnsureRoles { get; init; } = true;

    /// <summary>CREATE DATABASE STRATEGY (PostgreSQL 15+): <c>wal_log</c>, <c>file_copy</c>, or null for the server default.</summary>
    public string? CreateStrategy { get; init; }

    /// <summary>The tables of the platform database that <see cref="PlatformReaderRole"/> may read.</summary>
    public IReadOnlyList<string> PlatformReadableTables { get; init; } = ["users", "domains", "motor_blocks"];

    internal void Validate()
    {
        SqlText.ValidateIdentifier(EncimapDatabase, nameof(EncimapDatabase));
        SqlText.ValidateIdentifier(PlatformDatabase, nameof(PlatformDatabase));
        SqlText.ValidateIdentifier(EncimapOwnerRole, nameof(EncimapOwnerRole));
        SqlText.ValidateIdentifier(EncimapAppRole, nameof(EncimapAppRole));
        SqlText.ValidateIdentifier(PlatformOwnerRole, nameof(PlatformOwnerRole));
        SqlText.ValidateIdentifier(PlatformReaderRole, nameof(PlatformReaderRole));
        if (EncimapTemplate is not null)
        {
            SqlText.ValidateIdentifier(EncimapTemplate, nameof(EncimapTemplate));
        }
        if (PlatformTemplate is not null)
        {
            SqlText.ValidateIdentifier(PlatformTemplate, nameof(PlatformTemplate));
        }
        if (CreateStrategy is not null and not "wal_log" and not "file_copy")
        {
            throw new ArgumentException($"CreateStrategy must be wal_log or file_copy, not '{CreateStrategy}'.", nameof(CreateStrategy));
        }
        foreach (var table in PlatformReadableTables)
        {
            SqlText.ValidateIdentifier(table, nameof(PlatformReadableTables));
        }
        if (EncimapDatabase == PlatformDatabase)
        {
            throw new ArgumentException("The Encimap and platform databases must differ.");
        }
        var roles = new[] { EncimapOwnerRole, EncimapAppRole, PlatformOwnerRole, PlatformReaderRole };
        if (roles.Distinct(StringComparer.Ordinal).Count() != roles.Length)
        {
            throw new ArgumentException("The four roles must be distinct.");
        }
    }
}
