using Encimap.Api.Infrastructure;
using Encimap.Api.Vaultboxes;
using Microsoft.Extensions.Options;

namespace Encimap.Api.Credentials;

/// <summary>The handlers behind <see cref="CredentialEndpoints"/>.</summary>
public sealed class CredentialHandlers(VaultboxStore vaultboxes, CredentialStore credentials, LoginCache cache, IOptions<ApiOptions> options)
{
    public async Task<IResult> CreateAsync(string id, Caller caller, CredentialKind kind, CancellationToken ct)
    {
        if (await VaultboxEndpoints.FindAsync(id, caller, vaultboxes, ct) is not { } vaultbox)
        {
            return ApiResults.NotFound();
        }

        return await credentials.CreateAsync(vaultbox.Id, vaultbox.Domain, kind, ct) is { } created
            ? ApiResults.Created(Describe(kind, created.Record, created.Password))
            : ApiResults.Conflict("credentials_exist", $"the vaultbox already has {Name(kind)} credentials; regenerate them instead");
    }

    public async Task<IResult> GetAsync(string id, Caller caller, CredentialKind kind, CancellationToken ct)
    {
        if (await VaultboxEndpoints.FindAsync(id, caller, vaultboxes, ct) is not { } vaultbox)
        {
            return ApiResults.NotFound();
        }

        return await credentials.GetAsync(vaultbox.Id, kind, ct) is { } record
            ? ApiResults.Ok(Describe(kind, record, password: null))
            : ApiResults.NotFound($"{Name(kind)} credentials");
    }

    public async Task<IResult> RegenerateAsync(string id, Caller caller, CredentialKind kind, CancellationToken ct)
    {
        if (await VaultboxEndpoints.FindAsync(id, caller, vaultboxes, ct) is not { } vaultbox)
        {
            return ApiResults.NotFound();
        }

        if (await credentials.RegenerateAsync(vaultbox.Id, kind, ct) is not { } regenerated)
        {
            return ApiResults.NotFound($"{Name(kind)} credentials");
        }

        cache.Forget(regenerated.Record.Username);
        return ApiResults.Ok(Describe(kind, regenerated.Record, regenerated.Password));
    }

    public async Task<IResult> DeleteAsync(string id, Caller caller, CredentialKind kind, CancellationToken ct)
    {
        if (await VaultboxEndpoints.FindAsync(id, caller, vaultboxes, ct) is not { } vaultbox)
        {
            return ApiResults.NotFound();
        }

        if (await credentials.DeleteAsync(vaultbox.Id, kind, ct) is not { } username)
        {
            return ApiResults.NotFound($"{Name(kind)} credentials");
        }

        cache.Forget(username);
        return ApiResults.Ok(new { deleted = true, username });
    }

    private object Describe(CredentialKind kind, CredentialRecord record, string? password)
    {
        var settings = options.Value;
        var imap = kind == CredentialKind.Imap;
        var described = new Dictionary<string, object?>
        {
            ["id"] = record.Id,
            ["username"] = record.Username,
        };
        if (password is not null)
        {
            described["password"] = password; // shown once: only on create and regenerate
        }

        described["host"] = settings.MailHost;
        described["port"] = imap ? settings.ImapPort : settings.SmtpSubmissionPort;
        described["security_type"] = imap ? "SSL/TLS" : "STARTTLS";
        described["created_at"] = record.CreatedAt;
        described["updated_at"] = record.UpdatedAt;
        return described;
    }

    private static string Name(CredentialKind kind) => kind == CredentialKind.Imap ? "IMAP" : "SMTP";
}
