using System.Diagnostics;
using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Encimap.Gateway.Tests;

/// <summary><c>encimapctl user-token</c> prints a user token that the gateway accepts (and the API, rightly, does not).</summary>
[Collection(GatewayFleetCollection.Name)]
public sealed class UserTokenCommandTests(GatewayFixture fleet)
{
    [Fact]
    public async Task The_token_from_the_environments_key_is_accepted_by_the_gateway_and_not_by_the_api()
    {
        var tenant = await Tenant.CreateAsync(fleet);

        var token = await UserTokenAsync(["user-token", "--user", tenant.UserId.ToString()], new() { ["Jwt__User__SigningKey"] = fleet.User.SigningKey });

        using var viaGateway = await fleet.GatewayClient(token).GetAsync($"{GatewayCalls.Prefix}/vaultboxes");
        using var atApi = await fleet.ApiClient(token).GetAsync("/s2s/v1/vaultboxes");
        await viaGateway.DataAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, atApi.StatusCode);
        var jwt = new JsonWebToken(token);
        Assert.Equal("motorical-platform", jwt.Issuer);
        Assert.Equal(["encimap-gateway"], jwt.Audiences);
        Assert.InRange((jwt.ValidTo - jwt.IssuedAt).TotalMinutes, 59, 61);
    }

    [Fact]
    public async Task The_signing_key_option_and_the_lifetime_are_honoured()
    {
        var tenant = await Tenant.CreateAsync(fleet);

        var token = await UserTokenAsync(["user-token", "--user", tenant.UserId.ToString(), "--lifetime", "90s", "--signing-key", fleet.User.SigningKey!], new());

        using var response = await fleet.GatewayClient(token).GetAsync($"{GatewayCalls.Prefix}/vaultboxes");
        await response.DataAsync();
        var jwt = new JsonWebToken(token);
        Assert.Equal(90, (jwt.ValidTo - jwt.IssuedAt).TotalSeconds);
    }

    [Fact]
    public async Task Without_a_key_the_development_fleets_user_key_is_used()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        var state = Directory.CreateTempSubdirectory("encimap-state-").FullName;
        try
        {
            await File.WriteAllTextAsync(
                Path.Combine(state, "dev-secrets.json"),
                $"{{\"s2s-signing-key\":\"{fleet.S2s.SigningKey}\",\"user-jwt-signing-key\":\"{fleet.User.SigningKey}\"}}");

            var token = await UserTokenAsync(["user-token", "--user", tenant.UserId.ToString()], new() { ["Encimap__StateDirectory"] = state });

            using var response = await fleet.GatewayClient(token).GetAsync($"{GatewayCalls.Prefix}/vaultboxes");
            await response.DataAsync();
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public async Task Without_any_key_it_fails_with_a_usage_error()
    {
        var (exitCode, stdout, stderr) = await RunAsync(["user-token", "--user", Guid.NewGuid().ToString()], new());

        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains("Jwt__User__SigningKey", stderr);
    }

    private static async Task<string> UserTokenAsync(string[] args, Dictionary<string, string?> environment)
    {
        var (exitCode, stdout, stderr) = await RunAsync(args, environment);
        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}");
        return stdout.Trim();
    }

    // The built encimapctl, with the inherited JWT settings and development state removed so that
    // only what the test passes reaches it.
    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string[] args, Dictionary<string, string?> environment)
    {
        var empty = Directory.CreateTempSubdirectory("encimapctl-").FullName;
        try
        {
            var start = new ProcessStartInfo(Executable())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = empty,
            };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Jwt__", StringComparison.OrdinalIgnoreCase)
                || k.StartsWith("Encimap__", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                start.Environment.Remove(key);
            }

            start.Environment["Encimap__StateDirectory"] = empty;
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    // artifacts/bin/Encimap.Gateway.Tests/<config>/ → artifacts/bin/Encimap.Cli/<config>/encimapctl
    private static string Executable()
    {
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = Path.Combine(testDirectory.Parent!.Parent!.FullName, "Encimap.Cli", testDirectory.Name, "encimapctl");
        return File.Exists(path) ? path : throw new FileNotFoundException("encimapctl is not built: reference its project from the test project.", path);
    }
}
