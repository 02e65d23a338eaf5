using Encimap.AppHost;
using Encimap.AppHost.Database;
using Encimap.AppHost.Services;
using Microsoft.Extensions.DependencyInjection;

var builder = DistributedApplication.CreateBuilder(args);
var dev = DevelopmentEnvironment.Load(builder);

// PostgreSQL: the embedded development cluster, or the given ConnectionStrings:encimap/platform.
var (encimap, platform, migrations) = builder.AddEncimapDatabases(dev);

var certificates = builder.AddService<Projects.Encimap_Certificates>("certificates", 4400, dev).WithGrpcEndpoint(4401, dev)
    .WithReference(encimap).WithKeyEncryptionKeys(dev).WaitForCompletion(migrations);

var api = builder.AddService<Projects.Encimap_Api>("api", 4301, dev).WithGrpcEndpoint(4311, dev)
    .WithReference(encimap).WithReference(platform).WithReference(certificates).WaitForCompletion(migrations);

var intake = builder.AddService<Projects.Encimap_Intake>("intake", 4321, dev).WithGrpcEndpoint(4331, dev)
    .WithReference(encimap).WithReference(certificates).WaitForCompletion(migrations);

builder.AddService<Projects.Encimap_SmtpGateway>("smtp", 4341, dev)
    .WithMailEndpoint("mx", 2525, "smtp", "Smtp__Mx__Endpoint", dev)
    .WithMailEndpoint("submission", 2587, "smtp", "Smtp__Submission__Endpoint", dev)
    .WithServerCertificate(dev).WithSmarthost(dev).WithMailAuthentication(dev)
    .WithReference(encimap).WithReference(intake).WithReference(api).WithReference(certificates).WaitForCompletion(migrations);

builder.AddService<Projects.Encimap_Imap>("imap", 4351, dev)
    .WithMailEndpoint("imap", 1143, "imap", "Imap__Endpoint", dev)
    .WithMailEndpoint("imaps", 1993, "imaps", "Imap__TlsEndpoint", dev)
    .WithServerCertificate(dev)
    .WithReference(encimap).WithReference(api).WithReference(intake).WaitForCompletion(migrations);

builder.AddService<Projects.Encimap_Gateway>("gateway", 3001, dev)
    .WithUserTokenKey(dev).WithReference(api);

builder.Services.AddHostedService<FleetReadyReport>();
builder.Build().Run();
