using Encimap.Api.Infrastructure;

namespace Encimap.Api.Credentials;

/// <summary>
/// <c>/s2s/v1/vaultboxes/{id}/imap-credentials</c> and <c>…/smtp-credentials</c>: create (password
/// shown once), read (never the password), regenerate (new password, same username), delete.
/// </summary>
public static class CredentialEndpoints
{
    public static RouteGroupBuilder MapCredentials(this RouteGroupBuilder api)
    {
        foreach (var kind in Enum.GetValues<CredentialKind>())
        {
            var path = $"/vaultboxes/{{id}}/{(kind == CredentialKind.Imap ? "imap" : "smtp")}-credentials";
            api.MapPost(path, (string id, Caller caller, CredentialHandlers handlers, CancellationToken ct) => handlers.CreateAsync(id, caller, kind, ct));
            api.MapGet(path, (string id, Caller caller, CredentialHandlers handlers, CancellationToken ct) => handlers.GetAsync(id, caller, kind, ct));
            api.MapDelete(path, (string id, Caller caller, CredentialHandlers handlers, CancellationToken ct) => handlers.DeleteAsync(id, caller, kind, ct));
            api.MapPost(path + "/regenerate", (string id, Caller caller, CredentialHandlers handlers, CancellationToken ct) => handlers.RegenerateAsync(id, caller, kind, ct));
        }

        return api;
    }
}
