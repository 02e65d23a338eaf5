namespace Encimap.AppHost.Services;

/// <summary>The settings only some services get: keys they alone hold, the operator's smarthost, the MX's DNS.</summary>
public static class FleetSettingsBuilderExtensions
{
    /// <summary>
    /// The certificate service alone holds the key-encryption keys, outside the database: in
    /// development a generated one under the state directory, made here, before the replicas start.
    /// </summary>
    public static IResourceBuilder<IFleetService> WithKeyEncryptionKeys(
        this IResourceBuilder<IFleetService> builder, DevelopmentEnvironment development)
    {
        var developmentDirectory = Path.Combine(development.Layout.StateDirectory, "kek");
        if (!development.IsConfigured("kek-directory") && !development.IsConfigured("generate-development-kek"))
        {
            DevelopmentKeyEncryptionKey.Ensure(developmentDirectory);
        }

        return builder
            .WithEnvironment("Certificates__KekDirectory", development.Setting("kek-directory", developmentDirectory))
            .WithEnvironment("Certificates__GenerateDevelopmentKek", development.Setting("generate-development-kek", "true"));
    }

    /// <summary>The gateway alone checks the platform's user tokens.</summary>
    public static IResourceBuilder<IFleetService> WithUserTokenKey(
        this IResourceBuilder<IFleetService> builder, DevelopmentEnvironment development) =>
        builder.WithEnvironment("Jwt__User__SigningKey", development.SecretParameter("user-jwt-signing-key", "user-jwt-signing-key"));

    /// <summary>Where submitted mail is relayed; until a host is set it waits in the durable queue.</summary>
    public static IResourceBuilder<IFleetService> WithSmarthost(
        this IResourceBuilder<IFleetService> builder, DevelopmentEnvironment development) => builder
        .WithEnvironment("Smtp__Relay__Host", development.Setting("smarthost-host", ""))
        .WithEnvironment("Smtp__Relay__Port", development.Setting("smarthost-port", "25"))
        .WithEnvironment("Smtp__Relay__UserName", development.Setting("smarthost-username", ""))
        .WithEnvironment("Smtp__Relay__Password", development.Setting("smarthost-password", "", secret: true))
        .WithEnvironment("Smtp__MaxMessageSize", development.Setting("max-message-bytes", "36700160"));

    /// <summary>
    /// The MX's SPF/DKIM/DMARC checks: the name servers their look-ups go to (empty: the system's
    /// resolvers) and how far a failed DMARC policy is followed (Enforce, Quarantine, Monitor).
    /// </summary>
    public static IResourceBuilder<IFleetService> WithMailAuthentication(
        this IResourceBuilder<IFleetService> builder, DevelopmentEnvironment development) => builder
        .WithEnvironment("Smtp__Mx__Authentication__NameServers", development.Setting("mx-name-servers", ""))
        .WithEnvironment("Smtp__Mx__Authentication__DmarcEnforcement", development.Setting("mx-dmarc-enforcement", "Enforce"));
}
