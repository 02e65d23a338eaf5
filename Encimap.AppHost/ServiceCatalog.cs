namespace Encimap.AppHost;

/// <summary>
/// The services of the fleet with their development ports (DESIGN.md). The AppHost starts the
/// ones whose project exists in <c>services/</c>, in this order.
/// </summary>
public static class ServiceCatalog
{
    public static IReadOnlyList<ServiceDefinition> All { get; } =
    [
        new("certificates", "Encimap.Certificates",
            [new("http", 4400), new("grpc", 4401, Http2Only: true)],
            References: [], UsesEncimapDatabase: true, UsesPlatformDatabase: false),
        new("api", "Encimap.Api",
            [new("http", 4301), new("grpc", 4311, Http2Only: true)],
            References: ["certificates"], UsesEncimapDatabase: true, UsesPlatformDatabase: true),
        new("intake", "Encimap.Intake",
            [new("http", 4321), new("grpc", 4331, Http2Only: true)],
            References: ["certificates"], UsesEncimapDatabase: true, UsesPlatformDatabase: false),
        new("smtp", "Encimap.SmtpGateway",
            [
                new("http", 4341),
                new("mx", 2525, Scheme: "smtp", ConfigurationKey: "Smtp__Mx__Endpoint"),
                new("submission", 2587, Scheme: "smtp", ConfigurationKey: "Smtp__Submission__Endpoint"),
            ],
            References: ["intake", "api"], UsesEncimapDatabase: true, UsesPlatformDatabase: false),
        new("imap", "Encimap.Imap",
            [
                new("http", 4351),
                new("imap", 1143, Scheme: "imap", ConfigurationKey: "Imap__Endpoint"),
                new("imaps", 1993, Scheme: "imaps", ConfigurationKey: "Imap__TlsEndpoint"),
            ],
            References: ["api", "intake"], UsesEncimapDatabase: true, UsesPlatformDatabase: false),
        new("gateway", "Encimap.Gateway",
            [new("http", 3001)],
            References: ["api"], UsesEncimapDatabase: false, UsesPlatformDatabase: false),
    ];
}
