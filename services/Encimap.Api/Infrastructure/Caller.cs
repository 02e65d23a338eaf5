using System.Security.Claims;

namespace Encimap.Api.Infrastructure;

/// <summary>
/// The platform user on whose behalf the S2S token was minted (its <c>sub</c> claim). Every
/// query of the API is scoped by it. <see cref="UserTokenValidation"/> refuses tokens whose
/// subject is not a user id, so on an authorized route it always binds.
/// </summary>
public sealed record Caller(Guid UserId)
{
    public static ValueTask<Caller?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(TryFrom(context.User));

    public static Caller? TryFrom(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirst("sub")?.Value, out var id) ? new Caller(id) : null;
}
