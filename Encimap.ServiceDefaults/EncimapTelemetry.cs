namespace Encimap.ServiceDefaults;

/// <summary>
/// The one place that names the telemetry sources: the project's own ActivitySource/Meter names
/// and the built-in ones the services subscribe to. A source not listed here is not exported.
/// </summary>
public static class EncimapTelemetry
{
    /// <summary>Prefix of every ActivitySource and Meter the project creates.</summary>
    public const string Prefix = "Encimap";

    public const string Api = "Encimap.Api";
    public const string Certificates = "Encimap.Certificates";
    public const string Intake = "Encimap.Intake";
    public const string Smtp = "Encimap.Smtp";
    public const string Imap = "Encimap.Imap";
    public const string Gateway = "Encimap.Gateway";
    public const string Grpc = "Encimap.Grpc";

    /// <summary>Sources of the project (a wildcard also admits those added later).</summary>
    public static readonly IReadOnlyList<string> ProjectSources =
        [Api, Certificates, Intake, Smtp, Imap, Gateway, Grpc, Prefix + ".*"];

    /// <summary>ActivitySources that .NET and Npgsql ship.</summary>
    public static readonly IReadOnlyList<string> BuiltInActivitySources =
        ["Microsoft.AspNetCore", "System.Net.Http", "Npgsql"];

    /// <summary>Meters that .NET and Npgsql ship.</summary>
    public static readonly IReadOnlyList<string> BuiltInMeters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
        "System.Net.Http",
        "System.Runtime",
        "Npgsql",
    ];
}
