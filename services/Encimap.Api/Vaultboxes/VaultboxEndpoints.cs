using System.Text.Json.Nodes;
using Encimap.Api.Credentials;
using Encimap.Api.Infrastructure;

namespace Encimap.Api.Vaultboxes;

/// <summary><c>/s2s/v1/vaultboxes</c>: create, list, read, change settings, delete.</summary>
public static class VaultboxEndpoints
{
    public static RouteGroupBuilder MapVaultboxes(this RouteGroupBuilder api)
    {
        api.MapPost("/vaultboxes", CreateAsync);
        api.MapGet("/vaultboxes", async (Caller caller, VaultboxStore store, CancellationToken ct) =>
            ApiResults.Ok((await store.ListAsync(caller.UserId, ct)).Select(v => v.ToResponse())));
        api.MapGet("/vaultboxes/{id}", async (string id, Caller caller, VaultboxStore store, CancellationToken ct) =>
            await FindAsync(id, caller, store, ct) is { } vaultbox ? ApiResults.Ok(vaultbox.ToResponse()) : ApiResults.NotFound());
        api.MapPatch("/vaultboxes/{id}", UpdateAsync);
        api.MapDelete("/vaultboxes/{id}", DeleteAsync);
        return api;
    }

    /// <summary>The caller's vaultbox by id; malformed and foreign ids read as absent (404).</summary>
    public static async Task<VaultboxRecord?> FindAsync(string id, Caller caller, VaultboxStore store, CancellationToken cancellationToken) =>
        Guid.TryParse(id, out var vaultboxId) ? await store.GetAsync(caller.UserId, vaultboxId, cancellationToken) : null;

    private static async Task<IResult> DeleteAsync(string id, Caller caller, VaultboxStore store, LoginCache logins, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var vaultboxId) || await store.DeleteAsync(caller.UserId, vaultboxId, ct) is not (true, var username))
        {
            return ApiResults.NotFound();
        }

        if (username is not null)
        {
            logins.Forget(username);
        }

        return ApiResults.Ok(new { vaultbox_id = vaultboxId, deleted = true });
    }

    /// <summary>
    /// Changes the settings the body names. The MX reads them through the intake's recipient
    /// routes, which are remembered for <c>Intake:RouteCacheTtl</c> (30 s): a change applies to
    /// mail arriving after that.
    /// </summary>
    private static async Task<IResult> UpdateAsync(string id, HttpRequest request, Caller caller, VaultboxStore store, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var vaultboxId))
        {
            return ApiResults.NotFound();
        }

        var (body, error) = await JsonBody.ReadAsync<JsonObject>(request, ct);
        if (error is not null)
        {
            return error;
        }

        var (update, invalid) = VaultboxSettingsUpdate.From(body!);
        if (invalid is not null)
        {
            return invalid;
        }

        if (update!.ChangesDmarcEnforcement && !await store.SetDmarcEnforcementAsync(caller.UserId, vaultboxId, update.DmarcEnforcement, ct))
        {
            return ApiResults.NotFound();
        }

        return await store.GetAsync(caller.UserId, vaultboxId, ct) is { } vaultbox ? ApiResults.Ok(vaultbox.ToResponse()) : ApiResults.NotFound();
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, Caller caller, VaultboxCreation creation, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadAsync<CreateVaultboxRequest>(request, ct);
        return error ?? await creation.CreateAsync(caller, body!, ct);
    }
}
