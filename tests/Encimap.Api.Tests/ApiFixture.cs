using System.Net.Http.Headers;
using Encimap.Testing;
using CredentialsContract = Encimap.Contracts.Credentials.Credentials;

namespace Encimap.Api.Tests;

/// <summary>
/// The fleet the API's tests share: bcrypt at its cheapest cost (the tests make many passwords),
/// a small key pool in the certificate service, and the mail host that credentials name.
/// </summary>
public sealed class ApiFixture : EncimapFleet
{
    public ApiFixture()
    {
        Configure("api", "Api__BcryptCost", "4");
        Configure("api", "Api__MailHost", "mail.test.example");
        Configure("certificates", "Certificates__KeyPoolSize", "4");
    }

    /// <summary>The API's credential verification, called as another service of the fleet.</summary>
    public CredentialsContract.CredentialsClient Credentials => InternalGrpcClient<CredentialsContract.CredentialsClient>(CredentialsContract.Descriptor, "api");

    /// <summary>The same, without the internal-call token: anyone who can reach the port.</summary>
    public CredentialsContract.CredentialsClient AnonymousCredentials => new(GrpcChannelWithoutToken("api"));

    /// <summary>A client of the API with <paramref name="token"/> as its bearer token (none when null).</summary>
    public HttpClient ClientWithToken(string? token)
    {
        var client = new HttpClient { BaseAddress = Http("api") };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }
}
