using Encimap.Api.Infrastructure;
using Encimap.Api.Vaultboxes;
using Encimap.Contracts.Certificates;
using Npgsql;

namespace Encimap.Api.Certificates;

/// <summary><c>generate-certificate</c>, <c>p12</c> and <c>bundle</c>: certificates of the caller's vaultboxes.</summary>
public static class CertificateEndpoints
{
    private const int MinPasswordLength = 8;
    private const int MaxPasswordLength = 1024;
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    public static RouteGroupBuilder MapCertificates(this RouteGroupBuilder api)
    {
        api.MapPost("/generate-certificate", GenerateAsync);
        api.MapPost("/p12", (HttpRequest request, Caller caller, VaultboxStore store, CertificateServiceClient certificates, CancellationToken ct) =>
            ExportAsync(request, caller, store, ct, async (export, vaultbox) =>
            {
                var reply = await certificates.ExportPkcs12Async(export, ExportTimeout, ct);
                return Results.File(reply.Pkcs12.ToByteArray(), "application/x-pkcs12", $"{vaultbox.Address}.p12");
            }));
        api.MapPost("/bundle", (HttpRequest request, Caller caller, VaultboxStore store, CertificateServiceClient certificates, CancellationToken ct) =>
            ExportAsync(request, caller, store, ct, async (export, vaultbox) =>
            {
                var reply = await certificates.ExportBundleAsync(export, ExportTimeout, ct);
                return Results.File(reply.Zip.ToByteArray(), "application/zip", $"{vaultbox.Address}-smime.zip");
            }));
        return api;
    }

    private static async Task<IResult> GenerateAsync(
        HttpRequest request, Caller caller, VaultboxStore store, CertificateIssuer issuer, [FromKeyedServices(ApiDatabases.Encimap)] NpgsqlDataSource database, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadAsync<GenerateCertificateRequest>(request, ct);
        if (error is not null)
        {
            return error;
        }

        if (body!.Days is < 1 or > 3650)
        {
            return ApiResults.Validation("days must be between 1 and 3650");
        }

        var parts = (body.Email ?? "").Split('@');
        if (parts.Length != 2
            || !AddressRules.TryNormalizeAlias(parts[0], out var alias, out _)
            || !AddressRules.TryNormalizeDomain(parts[1], out var domain, out _))
        {
            return ApiResults.Validation("email must be the address of a vaultbox");
        }

        if (await store.FindByAddressAsync(caller.UserId, alias, domain, ct) is not { } vaultbox)
        {
            return ApiResults.NotFound();
        }

        await using var connection = await database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        try
        {
            var stored = await issuer.IssueAndStoreAsync(connection, transaction, vaultbox.Id, vaultbox.Address, body.Days, ct);
            await transaction.CommitAsync(ct);
            return ApiResults.Created(stored.ToResponse());
        }
        catch (CertificateServiceException e)
        {
            return FromFailure(e);
        }
    }

    private static async Task<IResult> ExportAsync(
        HttpRequest request,
        Caller caller,
        VaultboxStore store,
        CancellationToken ct,
        Func<ExportRequest, VaultboxRecord, Task<IResult>> export)
    {
        var (body, error) = await JsonBody.ReadAsync<ExportRequestBody>(request, ct);
        if (error is not null)
        {
            return error;
        }

        if (await VaultboxEndpoints.FindAsync(body!.VaultboxId ?? "", caller, store, ct) is not { } vaultbox)
        {
            return ApiResults.NotFound();
        }

        if (body.Password is not { Length: >= MinPasswordLength and <= MaxPasswordLength })
        {
            return ApiResults.Error(StatusCodes.Status400BadRequest, "weak_password", $"password must be {MinPasswordLength} to {MaxPasswordLength} characters");
        }

        if (ParseProfile(body.Profile) is not { } profile)
        {
            return ApiResults.Validation("profile must be 'compatible' or 'modern'");
        }

        try
        {
            return await export(new ExportRequest { VaultboxId = vaultbox.Id.ToString(), Password = body.Password, Profile = profile }, vaultbox);
        }
        catch (CertificateServiceException e)
        {
            return FromFailure(e);
        }
    }

    private static Pkcs12Profile? ParseProfile(string? profile) => profile?.ToLowerInvariant() switch
    {
        null or "" or "compatible" => Pkcs12Profile.Compatible,
        "modern" => Pkcs12Profile.Modern,
        _ => null,
    };

    private static IResult FromFailure(CertificateServiceException e) => e.Failure switch
    {
        CertificateServiceFailure.InvalidRequest => ApiResults.Validation(e.Detail),
        CertificateServiceFailure.NotFound => ApiResults.NotFound("certificate"),
        _ => ApiResults.Unavailable("certificate_service_unavailable", "the certificate service could not complete the request"),
    };
}
