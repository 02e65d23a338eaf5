using System.Net;

namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// The inputs of check_host() (RFC 7208 §4.1): the client's address, the domain checked, the
/// sender (MAIL FROM, or postmaster@HELO for the null reverse-path, §2.4) and the HELO name (for
/// the %{h} macro).
/// </summary>
public sealed record SpfRequest(IPAddress ClientAddress, string Domain, string Sender, string Helo);
