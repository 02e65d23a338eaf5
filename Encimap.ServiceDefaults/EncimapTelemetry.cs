namespace Encimap.ServiceDefaults;

/// <summary>
/// The one place that names the project's own ActivitySources and Meters. The service defaults
/// export these (a wildcard admits those added later); the instrumentation packages bring the
/// built-in ones (ASP.NET Core, HttpClient, gRPC client, runtime, Npgsql).
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

    /// <summary>Sources and meters of the project.</summary>
    public static readonly IReadOnlyList<string> ProjectSources =
        [Api, Certificates, Intake, Smtp, Imap, Gateway, Prefix + ".*"];
}
