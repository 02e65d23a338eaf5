using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Encimap.Database;

/// <summary>Passwords of the four roles.</summary>
public sealed record RolePasswords(string EncimapOwner, string EncimapApp, string PlatformOwner, string PlatformReader)
{
    /// <summary>Four new random passwords.</summary>
    public static RolePasswords Generate() =>
        new(Secrets.NewPassword(), Secrets.NewPassword(), Secrets.NewPassword(), Secrets.NewPassword());

    /// <summary>Keeps passwords out of logs and exception messages.</summary>
    public override string ToString() => "RolePasswords { *** }";
}
