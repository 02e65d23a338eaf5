using System.Net;

namespace Encimap.Smtp;

/// <summary>An authenticated user; backends derive their own types to carry what they need.</summary>
public class SmtpPrincipal(string name)
{
    public string Name { get; } = name;

    public override string ToString() => Name;
}
