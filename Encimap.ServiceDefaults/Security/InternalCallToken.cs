namespace Encimap.ServiceDefaults.Security;

/// <summary>
/// The internal-call token one service sends with its calls, naming it as the caller. A token is
/// reused until it is past half its lifetime: signing per call would cost more than the call.
/// </summary>
public sealed class InternalCallToken(JwtTokenIssuer issuer, string caller)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private readonly Lock _gate = new();
    private string? _token;
    private DateTimeOffset _renewAt;

    public string Current()
    {
        lock (_gate)
        {
            if (_token is null || DateTimeOffset.UtcNow >= _renewAt)
            {
                _token = issuer.Mint(caller, Lifetime);
                _renewAt = DateTimeOffset.UtcNow + Lifetime / 2;
            }

            return _token;
        }
    }
}
