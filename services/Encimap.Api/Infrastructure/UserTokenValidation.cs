using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Encimap.Api.Infrastructure;

/// <summary>
/// A valid S2S token whose subject is not a platform user id (a UUID) is still not a caller of
/// this API: it fails authentication (401) before any endpoint runs.
/// </summary>
public sealed class UserTokenValidation : IPostConfigureOptions<JwtBearerOptions>
{
    public void PostConfigure(string? name, JwtBearerOptions options)
    {
        // Only the S2S scheme carries users; internal calls between services name a service.
        if (name != JwtBearerDefaults.AuthenticationScheme)
        {
            return;
        }

        var previous = options.Events?.OnTokenValidated;
        options.Events ??= new JwtBearerEvents();
        options.Events.OnTokenValidated = async context =>
        {
            if (previous is not null)
            {
                await previous(context);
            }

            if (context.Principal is null || Caller.TryFrom(context.Principal) is null)
            {
                context.Fail("the token's subject is not a user id");
            }
        };
    }
}
