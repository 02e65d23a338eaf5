using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Encimap.ServiceDefaults.Security;

/// <summary>Mints JWTs for a user id (<c>sub</c>) under one <see cref="JwtOptions"/> trust.</summary>
public sealed class JwtTokenIssuer(JwtOptions options, TimeProvider? clock = null)
{
    private readonly SigningCredentials _credentials = JwtKeys.SigningCredentials(options);
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public string Mint(string userId, TimeSpan? lifetime = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        var now = _clock.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Subject = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, userId)]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? options.TokenLifetime),
            SigningCredentials = _credentials,
        });
    }
}
