using Encimap.Certificates.Tests.Infrastructure;
using Encimap.Contracts.Certificates;
using Grpc.Core;

namespace Encimap.Certificates.Tests;

/// <summary>Reaching the port is not enough: every method needs another service's internal-call token.</summary>
public sealed class InternalCallAuthenticationTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Calls_without_a_token_are_unauthenticated_and_export_nothing()
    {
        var (id, address) = await TestData.CreateVaultboxAsync(fixture.Databases);
        var issued = await fixture.Server.Client.IssueCertificateAsync(new IssueCertificateRequest { Email = address });
        await TestData.StoreAsync(fixture.Databases, id, issued);

        var anonymous = fixture.Server.AnonymousClient;
        var calls = new Func<Task>[]
        {
            () => anonymous.IssueCertificateAsync(new IssueCertificateRequest { Email = address }).ResponseAsync,
            () => anonymous.GetRecipientCertificatesAsync(new GetRecipientCertificatesRequest { VaultboxId = id.ToString() }).ResponseAsync,
            () => anonymous.ExportPkcs12Async(new ExportRequest { VaultboxId = id.ToString(), Password = "long enough password" }).ResponseAsync,
            () => anonymous.ExportBundleAsync(new ExportRequest { VaultboxId = id.ToString(), Password = "long enough password" }).ResponseAsync,
        };
        foreach (var call in calls)
        {
            var e = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        }

        var exported = await fixture.Server.Client.ExportPkcs12Async(new ExportRequest { VaultboxId = id.ToString(), Password = "long enough password" });
        Assert.NotEmpty(exported.Pkcs12);
    }
}
