using Encimap.Intake.Encryption;
using Encimap.Intake.Infrastructure;
using Npgsql;

namespace Encimap.Intake.Delivery;

/// <summary>Recipient resolution: active routes (<c>mail_routes</c>) and vaultboxes by id.</summary>
public sealed class RecipientDirectory([FromKeyedServices(IntakeServiceRegistration.ConnectionStringName)] NpgsqlDataSource database, RecipientRouteCache cache)
{
    /// <summary>
    /// Resolves each address through the active routes. Addresses are compared lower-case with the
    /// database's own lower(), the same function the routes' CHECK constraint holds them to: RFC 5321
    /// lets a local part be case-sensitive, but routes are stored lower-case, so matching is
    /// case-insensitive. Surrounding angle brackets and spaces are ignored.
    /// </summary>
    public Task<IReadOnlyList<RecipientTarget>> ResolveAsync(IReadOnlyList<string> addresses, CancellationToken cancellationToken) =>
        ReadAsync(() => ResolveCoreAsync(addresses, cancellationToken));

    /// <summary>
    /// As <see cref="ResolveAsync"/>, but from <see cref="RecipientRouteCache"/> when every address
    /// has a fresh route there (no database round trip). The commit confirms such routes.
    /// </summary>
    public Task<IReadOnlyList<RecipientTarget>> ResolveForDeliveryAsync(IReadOnlyList<string> addresses, CancellationToken cancellationToken)
    {
        var targets = new RecipientTarget[addresses.Count];
        for (var i = 0; i < addresses.Count; i++)
        {
            var address = Normalize(addresses[i]);
            if (!cache.TryGet(address, out var route))
            {
                return ResolveAsync(addresses, cancellationToken);
            }

            targets[i] = new RecipientTarget(addresses[i], route, address, Remembered: true);
        }

        return Task.FromResult<IReadOnlyList<RecipientTarget>>(targets);
    }

    /// <summary>Forgets the remembered routes of these addresses (they turned out to have changed).</summary>
    public void Forget(IEnumerable<string> addresses) => cache.Forget(addresses.Select(Normalize));

    /// <summary>The vaultbox with this id, addressed by its own alias (HTTP intake); null when none.</summary>
    public Task<VaultboxRoute?> FindVaultboxAsync(Guid vaultboxId, CancellationToken cancellationToken) =>
        ReadAsync(() => FindVaultboxCoreAsync(vaultboxId, cancellationToken));

    private async Task<IReadOnlyList<RecipientTarget>> ResolveCoreAsync(IReadOnlyList<string> addresses, CancellationToken cancellationToken)
    {
        var normalized = addresses.Select(Normalize).ToArray();
        var routes = new Dictionary<string, VaultboxRoute>(StringComparer.Ordinal);
        var candidates = normalized.Where(a => a.Length is > 0 and <= 320).Distinct(StringComparer.Ordinal).ToArray();
        if (candidates.Length > 0)
        {
            await using var command = database.CreateCommand(
                """
                SELECT a.address, v.id, v.hide_subject, v.key_transport, v.dmarc_enforcement
                FROM unnest($1::text[]) AS a(address)
                JOIN mail_routes r ON r.address = lower(a.address) AND r.active
                JOIN vaultboxes v ON v.id = r.vaultbox_id
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = candidates });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var address = reader.GetString(0);
                var route = new VaultboxRoute(reader.GetGuid(1), LocalPart(address), reader.GetBoolean(2), KeyTransports.Parse(reader.GetString(3)),
                    reader.IsDBNull(4) ? null : reader.GetString(4));
                routes[address] = route;
                cache.Set(address, route);
            }
        }

        return addresses.Select((original, i) => routes.TryGetValue(normalized[i], out var route)
            ? new RecipientTarget(original, route, normalized[i])
            : new RecipientTarget(original, null)).ToArray();
    }

    private async Task<VaultboxRoute?> FindVaultboxCoreAsync(Guid vaultboxId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT alias, hide_subject, key_transport FROM vaultboxes WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = vaultboxId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new VaultboxRoute(vaultboxId, reader.GetString(0), reader.GetBoolean(1), KeyTransports.Parse(reader.GetString(2)))
            : null;
    }

    // Reads are idempotent: a pooled connection that died with the server gets one fresh retry;
    // a database that stays away is reported as unavailable.
    private async Task<T> ReadAsync<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (Exception e) when (e is not OperationCanceledException && DatabaseErrors.IsTransient(e))
        {
            database.Clear();
        }

        try
        {
            return await read();
        }
        catch (Exception e) when (e is not OperationCanceledException && DatabaseErrors.IsTransient(e))
        {
            database.Clear();
            throw new DeliveryFailedException(DeliveryFailure.Unavailable, "database_unavailable", "the database is unavailable", e);
        }
    }

    /// <summary>Trimmed, without angle brackets, lower-case (invariant).</summary>
    public static string Normalize(string address)
    {
        var value = (address ?? "").Trim();
        if (value.Length >= 2 && value[0] == '<' && value[^1] == '>')
        {
            value = value[1..^1].Trim();
        }

        return value.ToLowerInvariant();
    }

    private static string LocalPart(string address)
    {
        var at = address.LastIndexOf('@');
        return (at > 0 ? address[..at] : address).ToLowerInvariant();
    }
}
