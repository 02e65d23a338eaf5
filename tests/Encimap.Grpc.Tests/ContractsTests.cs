using Encimap.Contracts.Certificates;
using Encimap.Contracts.Credentials;
using Encimap.Contracts.Intake;
using Encimap.Grpc.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Encimap.Grpc.Tests;

/// <summary>The contract descriptors and a typed client registered through DI.</summary>
public sealed class ContractsTests
{
    [Fact]
    public void Descriptors_match_the_protos()
    {
        Assert.Equal("/encimap.certificates.v1.Certificates/IssueCertificate", CertificatesMethods.IssueCertificate.Path);
        Assert.Equal("/encimap.intake.v1.Intake/Deliver", IntakeMethods.Deliver.Path);
        Assert.Equal("/encimap.credentials.v1.Credentials/VerifySmtpLogin", CredentialsMethods.VerifySmtpLogin.Path);
        Assert.Equal(CertificatesMethods.ServiceName, Encimap.Contracts.Certificates.CertificatesReflection.Descriptor.Services.Single().FullName);
        Assert.Equal(IntakeMethods.ServiceName, Encimap.Contracts.Intake.IntakeReflection.Descriptor.Services.Single().FullName);
        Assert.Equal(CredentialsMethods.ServiceName, Encimap.Contracts.Credentials.CredentialsReflection.Descriptor.Services.Single().FullName);

        Assert.False(CertificatesMethods.IssueCertificate.Idempotent);
        Assert.False(IntakeMethods.Deliver.Idempotent);
        Assert.True(CertificatesMethods.GetRecipientCertificates.Idempotent);
        Assert.True(IntakeMethods.ResolveRecipient.Idempotent);
        Assert.True(CredentialsMethods.VerifyImapLogin.Idempotent);
        Assert.True(CredentialsMethods.VerifySmtpLogin.Idempotent);
    }

    [Fact]
    public async Task Typed_client_from_DI_calls_a_mapped_service()
    {
        await using var server = await KestrelGrpcServer.StartAsync(endpoints =>
        {
            endpoints.MapGrpcUnary(IntakeMethods.ResolveRecipient, (request, _) =>
                Task.FromResult(new ResolveRecipientReply { Found = request.Address == "alice@example.org", VaultboxId = "vb-1" }));
            endpoints.MapGrpcUnary(IntakeMethods.Deliver, (_, _) =>
                throw new GrpcStatusException(StatusCode.Unavailable, "storage offline"));
            endpoints.MapGrpcFallback();
        });
        var services = new ServiceCollection();
        services.AddGrpcClient<IntakeClient>("intake", server.Address, o => o.RetryBaseDelay = TimeSpan.FromMilliseconds(5));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IntakeClient>();

        var found = await client.ResolveRecipientAsync(new ResolveRecipientRequest { Address = "alice@example.org" });
        var error = await Assert.ThrowsAsync<GrpcStatusException>(() => client.DeliverAsync(new DeliverRequest()));

        Assert.True(found.Found);
        Assert.Equal("vb-1", found.VaultboxId);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal("storage offline", error.Detail);
    }

    [Fact]
    public void Client_registered_by_service_name_uses_the_aspire_grpc_endpoint_address()
    {
        var services = new ServiceCollection();
        services.AddGrpcClient<CredentialsClient>("api");
        using var provider = services.BuildServiceProvider();

        var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient($"grpc:api:{typeof(CredentialsClient).FullName}");

        Assert.Equal(new Uri("http://_grpc.api"), http.BaseAddress);
        Assert.Equal(Timeout.InfiniteTimeSpan, http.Timeout);
        Assert.NotNull(provider.GetRequiredService<CredentialsClient>());
    }
}
