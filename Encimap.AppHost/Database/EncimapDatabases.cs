namespace Encimap.AppHost.Database;

/// <summary>The two databases the services reference, and the step that prepares them.</summary>
public sealed record EncimapDatabases(
    IResourceBuilder<IResourceWithConnectionString> Encimap,
    IResourceBuilder<IResourceWithConnectionString> Platform,
    IResourceBuilder<DatabaseMigrationsResource> Migrations);
