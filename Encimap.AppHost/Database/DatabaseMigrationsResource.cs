namespace Encimap.AppHost.Database;

/// <summary>
/// Provisioning (roles, databases, grants), migrations and the development seed, run once by the
/// AppHost after PostgreSQL is up. It finishes with exit code 0, and the services start after it
/// (<c>WaitForCompletion</c>); a failure stops them from starting against a half-made schema.
/// </summary>
public sealed class DatabaseMigrationsResource(string name) : Resource(name), IResourceWithWaitSupport;
