using Encimap.Api.Certificates;
using Encimap.Api.Infrastructure;
using Encimap.Api.Platform;
using Npgsql;

namespace Encimap.Api.Vaultboxes;

/// <summary>
/// Creates a vaultbox: checks the caller's domain in the platform database, then in one
/// transaction inserts the vaultbox, its route and folders, and its first certificate — if the
/// certificate cannot be issued, the transaction rolls back and no vaultbox is left behind.
/// </summary>
public sealed partial class VaultboxCreation(
    PlatformDirectory platform,
    VaultboxStore vaultboxes,
    CertificateIssuer certificates,
    [FromKeyedServices(ApiDatabases.Encimap)] NpgsqlDataSource database,
    ILogger<VaultboxCreation> logger)
{
    public async Task<IResult> CreateAsync(Caller caller, CreateVaultboxRequest request, CancellationToken cancellationToken)
    {
        if (Validate(caller, request, out var alias, out var domain) is { } invalid)
        {
            return invalid;
        }

        var standing = await platform.GetDomainStandingAsync(caller.UserId, domain, cancellationToken);
        if (standing != DomainStanding.Verified)
        {
            return Refusal(standing);
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        Guid id;
        try
        {
            id = await vaultboxes.InsertAsync(connection, transaction, caller.UserId, alias, domain, request.Name, cancellationToken);
            await certificates.IssueAndStoreAsync(connection, transaction, id, $"{alias}@{domain}", days: null, cancellationToken);
        }
        catch (AddressTakenException)
        {
            return ApiResults.Conflict("address_taken", $"{alias}@{domain} is already taken");
        }
        catch (CertificateServiceException e)
        {
            LogIssueFailed(logger, e.Failure, e.Detail);
            return ApiResults.Unavailable("certificate_service_unavailable", "the certificate could not be issued; nothing was created");
        }

        await transaction.CommitAsync(cancellationToken);
        LogCreated(logger, id);
        return ApiResults.Created(new { vaultbox_id = id, domain, alias, name = request.Name });
    }

    private static IResult? Validate(Caller caller, CreateVaultboxRequest request, out string alias, out string domain)
    {
        alias = domain = "";
        if (request.UserId is not null && (!Guid.TryParse(request.UserId, out var bodyUser) || bodyUser != caller.UserId))
        {
            return ApiResults.Forbidden("user_mismatch", "user_id does not match the authenticated user");
        }

        if (!AddressRules.TryNormalizeAlias(request.Alias, out alias, out var problem)
            || !AddressRules.TryNormalizeDomain(request.Domain, out domain, out problem)
            || !AddressRules.TryValidateName(request.Name, out problem))
        {
            return ApiResults.Validation(problem);
        }

        return null;
    }

    // An unknown domain and another user's domain answer alike: existence is not disclosed.
    private static IResult Refusal(DomainStanding standing) => standing switch
    {
        DomainStanding.UnknownUser => ApiResults.Forbidden("unknown_user", "the authenticated user does not exist"),
        DomainStanding.NotVerified => ApiResults.Forbidden("domain_not_verified", "the domain is not verified"),
        _ => ApiResults.Forbidden("domain_not_owned", "the domain is not one of the user's domains"),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Vaultbox {VaultboxId} created")]
    private static partial void LogCreated(ILogger logger, Guid vaultboxId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Certificate issuance failed ({Failure}: {Detail}); vaultbox not created")]
    private static partial void LogIssueFailed(ILogger logger, CertificateServiceFailure failure, string detail);
}
