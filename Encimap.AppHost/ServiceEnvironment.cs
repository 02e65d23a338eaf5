namespace Encimap.AppHost;

/// <summary>
/// The environment a service process starts with, in Aspire's conventions:
/// <c>ConnectionStrings__encimap</c>, <c>ConnectionStrings__platform</c>,
/// <c>services__{name}__{endpoint}__0</c>, <c>OTEL_SERVICE_NAME</c>, <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>,
/// plus the Kestrel endpoints it listens on.
/// </summary>
public sealed class ServiceEnvironment(
    AppHostOptions options,
    RepositoryLayout layout,
    DatabaseResource database,
    DevelopmentSecrets secrets,
    IReadOnlyList<ServiceDefinition> services,
    IConfiguration configuration)
{
    public IReadOnlyDictionary<string, string> For(ServiceDefinition service)
    {
        var env = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["OTEL_SERVICE_NAME"] = service.Name,
            ["ENCIMAP_APPHOST_PID"] = Environment.ProcessId.ToString(),
            ["Encimap__StateDirectory"] = layout.StateDirectory,
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
        };
        foreach (var (name, value) in Otlp.OtlpEnvironment.For(options.DashboardUrl, configuration))
        {
            env[name] = value;
        }

        AddListenEndpoints(service, env);
        AddDatabases(service, env);
        AddReferences(service, env);
        AddSecrets(service, env);
        return env;
    }

    private void AddListenEndpoints(ServiceDefinition service, Dictionary<string, string> env)
    {
        foreach (var endpoint in service.Endpoints)
        {
            var url = endpoint.UrlFor(options.PortOffset);
            if (endpoint.IsKestrel)
            {
                env[$"Kestrel__Endpoints__{endpoint.Name}__Url"] = url;
                env[$"Kestrel__Endpoints__{endpoint.Name}__Protocols"] = endpoint.Http2Only ? "Http2" : "Http1AndHttp2";
            }
            else
            {
                env[endpoint.ConfigurationKey!] = $"127.0.0.1:{endpoint.Port + options.PortOffset}";
            }
        }
    }

    private void AddDatabases(ServiceDefinition service, Dictionary<string, string> env)
    {
        if (service.UsesEncimapDatabase)
        {
            env["ConnectionStrings__encimap"] = database.EncimapConnectionString;
        }

        if (service.UsesPlatformDatabase)
        {
            env["ConnectionStrings__platform"] = database.PlatformConnectionString;
        }
    }

    private void AddReferences(ServiceDefinition service, Dictionary<string, string> env)
    {
        foreach (var reference in service.References)
        {
            var target = services.FirstOrDefault(s => s.Name == reference);
            foreach (var endpoint in target?.Endpoints ?? [])
            {
                env[$"services__{reference}__{endpoint.Name}__0"] = endpoint.UrlFor(options.PortOffset);
            }
        }
    }

    // Development-only secrets. Every service gets the S2S key (the API validates user-scoped S2S
    // tokens with it, the gateway mints them, all services sign and check internal calls); only
    // the gateway gets the key of the platform's user tokens; only the certificate service gets
    // the key-encryption keys, kept outside the database under the state directory.
    private void AddSecrets(ServiceDefinition service, Dictionary<string, string> env)
    {
        env["Jwt__S2S__SigningKey"] = secrets.GetOrCreate("s2s-signing-key");
        if (service.Name == "gateway")
        {
            env["Jwt__User__SigningKey"] = secrets.GetOrCreate("user-jwt-signing-key");
        }

        if (service.Name is "smtp" or "imap")
        {
            var (certificate, key) = DevelopmentTlsCertificate.Ensure(layout.StateDirectory);
            env["Tls__CertificatePemFile"] = certificate;
            env["Tls__KeyPemFile"] = key;
        }

        if (service.Name == "certificates")
        {
            env["Certificates__KekDirectory"] = Path.Combine(layout.StateDirectory, "kek");
            env["Certificates__GenerateDevelopmentKek"] = "true";
        }
    }
}
