using System.Net;
using System.Text.RegularExpressions;
using Encimap.Contracts.Credentials;
using Encimap.Passwords;
using Grpc.Core;
using Npgsql;

namespace Encimap.Api.Tests;

/// <summary>IMAP and SMTP credentials: one username per vaultbox, passwords shown once, verified over gRPC.</summary>
[Collection(ApiFleetCollection.Name)]
public sealed partial class CredentialTests(ApiFixture fleet)
{
    [Fact]
    public async Task Imap_and_smtp_credentials_share_one_username_and_show_the_password_once()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);
        var id = await http.CreateVaultboxAsync(tenant.Domain, "cat");

        using var imapResponse = await http.PostAsync($"/s2s/v1/vaultboxes/{id}/imap-credentials", null);
        var imap = await imapResponse.DataAsync(HttpStatusCode.Created);
        using var smtpResponse = await http.PostAsync($"/s2s/v1/vaultboxes/{id}/smtp-credentials", null);
        var smtp = await smtpResponse.DataAsync(HttpStatusCode.Created);

        var username = imap.GetProperty("username").GetString()!;
        Assert.Matches(UsernamePattern(), username);
        Assert.StartsWith($"encimap-{tenant.Domain.Replace('.', '-')}-", username);
        Assert.Equal(username, smtp.GetProperty("username").GetString());
        Assert.Equal(993, imap.GetProperty("port").GetInt32());
        Assert.Equal("SSL/TLS", imap.GetProperty("security_type").GetString());
        Assert.Equal(2587, smtp.GetProperty("port").GetInt32());
        Assert.Equal("STARTTLS", smtp.GetProperty("security_type").GetString());
        Assert.Equal("mail.test.example", smtp.GetProperty("host").GetString());
        Assert.True(imap.GetProperty("password").GetString()!.Length >= 16);
        Assert.NotEqual(imap.GetProperty("password").GetString(), smtp.GetProperty("password").GetString());

        using var read = await http.GetAsync($"/s2s/v1/vaultboxes/{id}/smtp-credentials");
        var readBack = await read.DataAsync();
        Assert.Equal(username, readBack.GetProperty("username").GetString());
        Assert.False(readBack.TryGetProperty("password", out _));

        using var twice = await http.PostAsync($"/s2s/v1/vaultboxes/{id}/imap-credentials", null);
        Assert.Equal("credentials_exist", await twice.ErrorCodeAsync(HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task Passwords_are_stored_only_as_bcrypt_hashes()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);
        var id = await http.CreateVaultboxAsync(tenant.Domain, "hash");
        using var response = await http.PostAsync($"/s2s/v1/vaultboxes/{id}/imap-credentials", null);
        var password = (await response.DataAsync(HttpStatusCode.Created)).GetProperty("password").GetString()!;

        await using var connection = new NpgsqlConnection(fleet.EncimapOwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT password_hash FROM imap_app_credentials WHERE vaultbox_id = $1", connection);
        command.Parameters.AddWithValue(id);
        var hash = (string)(await command.ExecuteScalarAsync())!;

        Assert.StartsWith("$2b$", hash);
        Assert.DoesNotContain(password, hash);
        Assert.True(new BcryptPasswordHasher(4).Verify(password, hash));
    }

    [Fact]
    public async Task Imap_login_verifies_and_regenerate_replaces_the_password_at_once()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);
        var id = await http.CreateVaultboxAsync(tenant.Domain, "login");
        using var created = await http.PostAsync($"/s2s/v1/vaultboxes/{id}/imap-credentials", null);
        var first = await created.DataAsync(HttpStatusCode.Created);
        var username = first.GetProperty("username").GetString()!;
        var oldPassword = first.GetProperty("password").GetString()!;

        var ok = await fleet.Credentials.VerifyImapLoginAsync(new VerifyLoginRequest { Username = username, Password = oldPassword });
        var cached = await fleet.Credentials.VerifyImapLoginAsync(new VerifyLoginRequest { Username = username, Password = oldPassword });
        Assert.Equal(PrincipalKind.Vaultbox, ok.Kind);
        Assert.Equal(id.ToString(), ok.VaultboxId);
        Assert.Equal($"login@{tenant.Domain}", ok.Address);
        Assert.Equal(ok, cached);

        using var regenerated = await http.PostAsync($"/s2s/v1/vaultboxes/{id}/imap-credentials/regenerate", null);
        var second = await regenerated.DataAsync();
        var newPassword = second.GetProperty("password").GetString()!;
        Assert.Equal(username, second.GetProperty("username").GetString());
        Assert.NotEqual(oldPassword, newPassword);

        Assert.Equal(PrincipalKind.None, (await fleet.Credentials.VerifyImapLoginAsync(new() { Username = username, Password = oldPassword })).Kind);
        Assert.Equal(PrincipalKind.Vaultbox, (await fleet.Credentials.VerifyImapLoginAsync(new() { Username = username, Password = newPassword })).Kind);
        // IMAP credentials are not SMTP credentials.
        Assert.Equal(PrincipalKind.None, (await fleet.Credentials.VerifySmtpLoginAsync(new() { Username = username, Password = newPassword })).Kind);
    }

    [Fact]
    public async Task Smtp_login_tries_motorblocks_first_then_vaultboxes_and_deleted_credentials_stop_working()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);
        var id = await http.CreateVaultboxAsync(tenant.Domain, "sender");
        using var created = await http.PostAsync($"/s2s/v1/vaultboxes/{id}/smtp-credentials", null);
        var smtp = await created.DataAsync(HttpStatusCode.Created);
        var username = smtp.GetProperty("username").GetString()!;
        var password = smtp.GetProperty("password").GetString()!;
        var motorBlock = await AddMotorBlockAsync(tenant, enabled: true, "motor-password-1");
        var disabled = await AddMotorBlockAsync(tenant, enabled: false, "motor-password-2");

        var vaultbox = await fleet.Credentials.VerifySmtpLoginAsync(new() { Username = username, Password = password });
        var motor = await fleet.Credentials.VerifySmtpLoginAsync(new() { Username = motorBlock, Password = "motor-password-1" });
        var off = await fleet.Credentials.VerifySmtpLoginAsync(new() { Username = disabled, Password = "motor-password-2" });
        var wrong = await fleet.Credentials.VerifySmtpLoginAsync(new() { Username = motorBlock, Password = "motor-password-2" });
        var unknown = await fleet.Credentials.VerifySmtpLoginAsync(new() { Username = "nobody", Password = "whatever-password" });

        Assert.Equal(PrincipalKind.Vaultbox, vaultbox.Kind);
        Assert.Equal($"sender@{tenant.Domain}", vaultbox.Address);
        Assert.Equal(PrincipalKind.MotorBlock, motor.Kind);
        Assert.Equal(tenant.Domain, motor.SendingDomain);
        Assert.Equal(250, motor.RateLimitPerHour);
        Assert.Equal(PrincipalKind.None, off.Kind);
        Assert.Equal(PrincipalKind.None, wrong.Kind);
        Assert.Equal(PrincipalKind.None, unknown.Kind);

        using var deleted = await http.DeleteAsync($"/s2s/v1/vaultboxes/{id}/smtp-credentials");
        await deleted.DataAsync();
        Assert.Equal(PrincipalKind.None, (await fleet.Credentials.VerifySmtpLoginAsync(new() { Username = username, Password = password })).Kind);
        using var read = await http.GetAsync($"/s2s/v1/vaultboxes/{id}/smtp-credentials");
        Assert.Equal("not_found", await read.ErrorCodeAsync(HttpStatusCode.NotFound));
        using var regenerate = await http.PostAsync($"/s2s/v1/vaultboxes/{id}/smtp-credentials/regenerate", null);
        Assert.Equal("not_found", await regenerate.ErrorCodeAsync(HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task Deleting_the_vaultbox_ends_its_logins()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);
        var id = await http.CreateVaultboxAsync(tenant.Domain, "short-lived");
        using var created = await http.PostAsync($"/s2s/v1/vaultboxes/{id}/imap-credentials", null);
        var imap = await created.DataAsync(HttpStatusCode.Created);
        var request = new VerifyLoginRequest { Username = imap.GetProperty("username").GetString()!, Password = imap.GetProperty("password").GetString()! };
        Assert.Equal(PrincipalKind.Vaultbox, (await fleet.Credentials.VerifyImapLoginAsync(request)).Kind);

        (await http.DeleteAsync($"/s2s/v1/vaultboxes/{id}")).EnsureSuccessStatusCode();

        Assert.Equal(PrincipalKind.None, (await fleet.Credentials.VerifyImapLoginAsync(request)).Kind);
    }

    [Fact]
    public async Task Verification_needs_an_internal_call_token()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);
        var id = await http.CreateVaultboxAsync(tenant.Domain, "guarded");
        using var created = await http.PostAsync($"/s2s/v1/vaultboxes/{id}/imap-credentials", null);
        var imap = await created.DataAsync(HttpStatusCode.Created);
        var request = new VerifyLoginRequest { Username = imap.GetProperty("username").GetString()!, Password = imap.GetProperty("password").GetString()! };

        var e = await Assert.ThrowsAsync<RpcException>(() => fleet.AnonymousCredentials.VerifyImapLoginAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Equal(PrincipalKind.Vaultbox, (await fleet.Credentials.VerifyImapLoginAsync(request)).Kind);
    }

    private async Task<string> AddMotorBlockAsync(Tenant tenant, bool enabled, string password)
    {
        var username = $"mb-{Guid.NewGuid():N}"[..16];
        await using var connection = new NpgsqlConnection(fleet.PlatformOwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "INSERT INTO motor_blocks (user_id, username, password_hash, enabled, rate_limit_per_hour, sending_domain) VALUES ($1, $2, $3, $4, 250, $5)",
            connection);
        command.Parameters.AddWithValue(tenant.UserId);
        command.Parameters.AddWithValue(username);
        command.Parameters.AddWithValue(new BcryptPasswordHasher(4).Hash(password));
        command.Parameters.AddWithValue(enabled);
        command.Parameters.AddWithValue(tenant.Domain);
        await command.ExecuteNonQueryAsync();
        return username;
    }

    [GeneratedRegex("^encimap-[a-z0-9-]+-[a-z0-9]{6}$")]
    private static partial Regex UsernamePattern();
}
