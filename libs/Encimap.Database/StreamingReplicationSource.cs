namespace Encimap.Database;

/// <summary>
/// The primary a standby of <see cref="EmbeddedPostgresCluster.PrepareStandbyAsync"/> is cloned
/// from and streams from: its superuser (to make the replication role and slot), and the role,
/// slot and application name the standby connects with. The application name is what the
/// primary's <c>synchronous_standby_names</c> lists.
/// </summary>
public sealed record StreamingReplicationSource
{
    /// <summary>The primary's superuser connection string (its host and port are the standby's upstream).</summary>
    public required string PrimarySuperuserConnectionString { get; init; }

    /// <summary>The login role with REPLICATION that the standby connects as.</summary>
    public string ReplicationRole { get; init; } = "encimap_replication";

    /// <summary>The replication role's password (stored as a SCRAM verifier on the primary).</summary>
    public required string ReplicationPassword { get; init; }

    /// <summary>The physical replication slot that keeps the WAL the standby has not received yet.</summary>
    public string SlotName { get; init; } = "encimap_standby";

    /// <summary>The standby's <c>application_name</c>, as <c>synchronous_standby_names</c> names it.</summary>
    public string ApplicationName { get; init; } = "encimap_standby";
}
